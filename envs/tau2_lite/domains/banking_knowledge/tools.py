"""banking_knowledge's agent tools (τ²-bench's `KnowledgeTools`): the always-visible tools
and the discoverable-tool protocol. The discoverable tools themselves live in tools_credit*.py,
tools_debit*.py and tools_accounts.py; retrieval tools in retrieval_tools.py.

Outputs are the reference's exact texts. Tool failures are returned as `Error: ...` texts
(not raised), so they carry `error: false`, as in the reference.
"""
from __future__ import annotations

import inspect
import json
from typing import Any, Literal, get_args

from envs.tau2_lite.domains.banking_knowledge import records as R
from envs.tau2_lite.domains.banking_knowledge.discovery import DISCOVERABLE_ATTR, format_for_agent, tool_info
from envs.tau2_lite.domains.banking_knowledge.tools_accounts import BankAccountTools
from envs.tau2_lite.domains.banking_knowledge.tools_credit import CreditCardTools
from envs.tau2_lite.domains.banking_knowledge.tools_credit_accounts import CreditCardAccountTools
from envs.tau2_lite.domains.banking_knowledge.tools_debit import DebitCardTools
from envs.tau2_lite.domains.banking_knowledge.tools_debit_disputes import DebitDisputeTools
from envs.tau2_lite.domains.banking_knowledge.tools_debit_issue import DebitCardIssueTools
from envs.tau2_lite.domains.banking_knowledge.user_tools import KnowledgeUserTools
from envs.tau2_lite.toolkit import ToolType, tool

TransferReasonLiteral = Literal[
    "fraud_or_security_concern",
    "account_closure_request",
    "deceased_account_holder",
    "legal_or_regulatory_matter",
    "account_ownership_dispute",
    "complex_billing_dispute",
    "abusive_customer_behavior",
    "third_party_inquiry",
    "technical_system_error",
    "unconfirmed_external_communication",
    "customer_demands_after_unavailable_offer_refusal",
    "kb_search_unsuccessful_customer_requests_transfer",
    "specialized_department_required",
    "accessibility_or_special_needs",
    "customer_frustrated_demands_human",
    "supervisor_request_service_complaint",
    "customer_requests_human_no_specific_reason",
    "request_completed_customer_wants_human_followup",
    "other",
]


class KnowledgeTools(CreditCardTools, CreditCardAccountTools, DebitDisputeTools, DebitCardIssueTools,
                     DebitCardTools, BankAccountTools):
    """The agent's tools. `read_log_allowlist` names read-only discoverable tools whose calls
    are still logged in `agent_discoverable_tools` (the reference derives it from the task's
    gold actions, so required reads are graded while extra reads change nothing)."""

    def __init__(self, db: Any, **kwargs: Any) -> None:
        super().__init__(db, **kwargs)
        self.unlocked: dict[str, dict[str, Any]] = {}      # in memory only, as in the reference
        self.given_to_user: dict[str, dict[str, Any]] = {}
        self.read_log_allowlist: set[str] = set()

    @tool(ToolType.GENERIC)
    def transfer_to_human_agents(self, summary: str, reason: TransferReasonLiteral = "other") -> str:
        """Transfer the user to a human agent.

        The proper transfer reason enum can be found in the knowledge base: search it before calling this tool to select the proper applicable reason.

        Args:
            summary: A summary of the user's issue and what was attempted before transfer.
            reason: The specific reason code for the transfer.
        """
        valid = list(get_args(TransferReasonLiteral))
        if reason not in valid:
            return f"Error: Invalid transfer reason '{reason}'. Must be one of: {', '.join(valid)}"
        return f"Transfer successful (reason: {reason}). A human agent will assist you shortly."

    @tool(ToolType.READ)
    def get_current_time(self) -> str:
        """Get the current time. Use this to get the current timestamp for logging verification records.

        Returns:
            The current time in the format "YYYY-MM-DD HH:MM:SS TZ"
        """
        return "The current time is 2025-11-14 03:40:00 EST."

    @tool(ToolType.READ)
    def get_user_information_by_id(self, user_id: str) -> str:
        """Get the information (date of birth, email, phone number, address) for a user by their user id.

        Args:
            user_id: The ID of the user
        """
        return R.query_by(self.db, "users", "user_id", user_id)

    @tool(ToolType.READ)
    def get_user_information_by_name(self, customer_name: str) -> str:
        """Get the information (date of birth, email, phone number, address) for a user by their name. Case Sensitive.

        Args:
            customer_name: The name of the user
        """
        return R.query_by(self.db, "users", "name", customer_name)

    @tool(ToolType.READ)
    def get_user_information_by_email(self, email: str) -> str:
        """Get the information (date of birth, email, phone number, address) for a user by their email.

        Args:
            email: The email of the user
        """
        return R.query_by(self.db, "users", "email", email)

    @tool(ToolType.WRITE)
    def change_user_email(self, user_id: str, new_email: str) -> str:
        """Change the email address for a user.

        Args:
            user_id: The ID of the user whose email should be changed
            new_email: The new email address to set for the user
        """
        if not R.update_record(self.db, "users", user_id, {"email": new_email}):
            return f"Error: User with ID '{user_id}' not found."
        return f"Email updated successfully.\n  - User ID: {user_id}\n  - New Email: {new_email}"

    @tool(ToolType.READ)
    def get_referrals_by_user(self, user_id: str) -> str:
        """Get all referrals made by a user.

        Args:
            user_id: The ID of the user (referrer) to look up referrals for
        """
        return R.query_by(self.db, "referrals", "referrer_id", user_id)

    @tool(ToolType.READ)
    def get_credit_card_transactions_by_user(self, user_id: str) -> str:
        """Get all credit card transactions for a user.

        Args:
            user_id: The ID of the user to look up transactions for
        """
        return R.query_by(self.db, "credit_card_transaction_history", "user_id", user_id)

    @tool(ToolType.READ)
    def get_credit_card_accounts_by_user(self, user_id: str) -> str:
        """Get all credit card accounts for a user.

        Returns information about each credit card account including card type,
        date opened, current balance, and reward points.

        Args:
            user_id: The ID of the user to look up credit card accounts for
        """
        return R.query_by(self.db, "credit_card_accounts", "user_id", user_id)

    @tool(ToolType.WRITE)
    def log_verification(self, name: str, user_id: str, address: str, email: str, phone_number: str,
                         date_of_birth: str, time_verified: str) -> str:
        """Log a verification record after successfully verifying a user's identity.

        Call this tool after you have verified a user by confirming 2 out of 4 identity fields
        (date of birth, email, phone number, address). This creates an audit record of the verification.

        Args:
            name: The verified user's full name
            user_id: The verified user's ID
            address: The verified user's address
            email: The verified user's email
            phone_number: The verified user's phone number
            date_of_birth: The verified user's date of birth (MM/DD/YYYY format)
            time_verified: The timestamp of the verification (e.g., "2025-11-14 03:40:00 EST")
        """
        record = {"name": name, "user_id": user_id, "address": address, "email": email,
                  "phone_number": phone_number, "date_of_birth": date_of_birth, "time_verified": time_verified}
        if not R.add_record(self.db, "verification_history", R.verification_id(user_id, time_verified), record):
            return "Failed to log verification: Record may already exist."
        return (f"Verification logged successfully.\n  - User: {name} (ID: {user_id})\n"
                f"  - Verified at: {time_verified}")

    @tool(ToolType.GENERIC, mutates_state=True)
    def give_discoverable_user_tool(self, discoverable_tool_name: str, arguments: str = "{}") -> str:
        """Pass a tool to the user so they can execute it themselves.

        Use this when the knowledge base indicates that the user should perform
        an action themselves (e.g., "to do X, have the user call tool_name(args)").

        The user will then be able to call `call_discoverable_tool` with the same
        tool name and arguments to simulate executing the action.

        Args:
            discoverable_tool_name: The name of the discoverable tool (e.g., "open_webpage", "navigate_to_section")
            arguments: JSON string of arguments for the tool (e.g., '{"url": "https://example.com"}')

        Returns:
            A confirmation message with instructions for the user
        """
        method = getattr(KnowledgeUserTools, discoverable_tool_name, None)
        if method is None or not getattr(method, DISCOVERABLE_ATTR, None):
            return f"Error: Unknown discoverable tool '{discoverable_tool_name}'."
        try:
            args = json.loads(arguments)
        except json.JSONDecodeError as exc:
            return f"Error: Invalid JSON in arguments: {exc}"
        params = inspect.signature(method).parameters
        for arg in args:
            if arg not in params and arg != "self":
                return f"Error: Unexpected parameter: {arg}"
        info = tool_info(method)
        self.given_to_user[discoverable_tool_name] = {"arguments": args, "given_at": R.NOW.isoformat(),
                                                      "tool_info": info}
        R.add_record(self.db, "user_discoverable_tools", R.user_tool_id(discoverable_tool_name),
                     {"tool_name": discoverable_tool_name, "status": "GIVEN"})
        shown = json.dumps(args, indent=2) if args else "(no arguments)"
        return (f"Tool given to user: {discoverable_tool_name}\n"
                f"Description: {info['description']}\n"
                f"Arguments: {shown}\n\n"
                f"The user can now execute this action by calling `call_discoverable_user_tool` "
                f"with discoverable_tool_name='{discoverable_tool_name}' and the same arguments.")

    @tool(ToolType.GENERIC, mutates_state=True)
    def unlock_discoverable_agent_tool(self, agent_tool_name: str) -> str:
        """Unlock an agent discoverable tool that was found in the knowledge base.

        Use this when the knowledge base indicates that you have access to a specialized
        internal tool. The knowledge base will tell you the tool name to unlock.

        After unlocking, you can use the tool by calling `call_discoverable_agent_tool` with
        the tool name and required arguments.

        Args:
            agent_tool_name: The name of the agent discoverable tool to unlock
                            (e.g., "calculate_apr_adjustment_7842")

        Returns:
            A confirmation message with the tool's description and parameters
        """
        if agent_tool_name not in self._discoverable:
            return f"Error: Unknown agent tool '{agent_tool_name}'. This tool is not available."
        info = tool_info(getattr(type(self), agent_tool_name))
        self.unlocked[agent_tool_name] = {"unlocked_at": R.NOW.isoformat(), "tool_info": info}
        return (f"Tool unlocked: {agent_tool_name}\n"
                f"Description: {info['description']}\n\n"
                f"{format_for_agent(info)}\n\n"
                f"You can now use this tool by calling `call_discoverable_agent_tool` with "
                f"agent_tool_name='{agent_tool_name}' and the required arguments.")

    @tool(ToolType.WRITE)
    def call_discoverable_agent_tool(self, agent_tool_name: str, arguments: str = "{}") -> str:
        """Call an agent discoverable tool that you have previously unlocked.

        Use this after unlocking a tool with `unlock_discoverable_agent_tool`. The knowledge base
        will tell you which tool to use and what arguments to provide.

        Args:
            agent_tool_name: The name of the agent discoverable tool to call
            arguments: JSON string of arguments for the tool (e.g., '{"user_id": "abc123"}')

        Returns:
            The result of executing the agent tool
        """
        if agent_tool_name not in self._discoverable:
            return f"Error: Unknown agent tool '{agent_tool_name}'. This tool is not available."
        if agent_tool_name not in self.unlocked:
            return (f"Error: Tool '{agent_tool_name}' has not been unlocked. "
                    f"You must first use `unlock_discoverable_agent_tool` to unlock this tool before calling it.")
        # Every JSON number becomes a float, as in the reference: ids and the DB hash must not
        # depend on whether the caller wrote 33 or 33.0.
        try:
            args = json.loads(arguments, parse_int=float)
        except json.JSONDecodeError as exc:
            return f"Error: Invalid JSON in arguments: {exc}"
        try:
            result = getattr(self, agent_tool_name)(**args)
        except TypeError as exc:
            return f"Error: Invalid arguments: {exc}"
        # Only state-changing tools and the task's required reads are logged, so extra
        # checking reads do not change the graded DB.
        if self._discoverable[agent_tool_name][1] or agent_tool_name in self.read_log_allowlist:
            R.add_record(self.db, "agent_discoverable_tools", R.agent_tool_id(agent_tool_name),
                         {"tool_name": agent_tool_name, "status": "CALLED"})
        return result

    @tool(ToolType.READ)
    def list_discoverable_agent_tools(self) -> str:
        """List all agent discoverable tools that you have called.

        Use this to see what specialized tools you have used.

        Returns:
            A list of tools that you have called
        """
        result = R.query_table(self.db, "agent_discoverable_tools", "{}")
        if "No results found" in result:
            return "No agent tools have been called yet. Search the knowledge base to discover available tools."
        return f"Your called agent tools:\n{result}"
