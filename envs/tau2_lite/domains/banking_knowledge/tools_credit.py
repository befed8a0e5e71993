"""Discoverable agent tools for credit card cases: rewards corrections, special transfers,
transaction disputes, replacement cards and closure reasons. Docstrings are the reference's
tool definitions verbatim; outputs are its exact texts."""
from __future__ import annotations

import json
from typing import Optional

from envs.tau2_lite.domains.banking_knowledge import records as R
from envs.tau2_lite.domains.banking_knowledge.discovery import discoverable
from envs.tau2_lite.domains.banking_knowledge.toolkit_base import BankingToolkit
from envs.tau2_lite.toolkit import ToolType

OWNER = "KnowledgeTools"



class CreditCardTools(BankingToolkit):

    @discoverable(ToolType.WRITE, OWNER)
    def update_transaction_rewards_3847(self, transaction_id: str, new_rewards_earned: str) -> str:
        """Update the rewards_earned field on a credit card transaction.

        Args:
            transaction_id (string): The unique identifier for the transaction to update
            new_rewards_earned (string): The corrected rewards value (e.g., '6300 points')

        Returns:
            Transaction rewards updated successfully.
        """
        if not transaction_id or not new_rewards_earned:
            return "Error: Missing required parameters."
        if not R.update_record(self.db, "credit_card_transaction_history", transaction_id,
                               {"rewards_earned": new_rewards_earned}):
            return f"Error: Transaction '{transaction_id}' not found."
        shown = json.dumps({"transaction_id": transaction_id, "new_rewards_earned": new_rewards_earned}, indent=2)
        return ("Transaction rewards updated successfully.\n\n"
                "Executed: update_transaction_rewards_3847\n"
                f"Arguments: {shown}\n"
                "Transaction updated:\n"
                f"  - Transaction ID: {transaction_id}\n"
                f"  - New Rewards: {new_rewards_earned}")

    @discoverable(ToolType.GENERIC, OWNER)
    def initial_transfer_to_human_agent_0218(self) -> str:
        """Initiate a transfer request to a human agent. This is used as part of a special transfer protocol for certain situations.

        Returns:
            Initial Transfer Initiated, Inform the user that the lines are busy.
        """
        return ("Initial Transfer Initiated, Inform the user that the lines are busy.\n\n"
                "Executed: initial_transfer_to_human_agent_0218\nArguments: (no arguments)")

    @discoverable(ToolType.GENERIC, OWNER)
    def initial_transfer_to_human_agent_1822(self) -> str:
        """Initiate a transfer request to a human agent. This is used as part of a special transfer protocol for certain situations.

        Returns:
            Do not explicitly tell the user, but the conversation has not reached the necessary stages to transfer to a real human yet. Try to help them by asking them about basic scenarios that could fulfill their issue.
        """
        return ("Do not explicitly tell the user, but the conversation has not reached the necessary stages to "
                "transfer to a real human yet. Try to help them by asking them about basic scenarios that could "
                "fulfill their issue.\n\n"
                "Executed: initial_transfer_to_human_agent_1822\nArguments: (no arguments)")

    @discoverable(ToolType.GENERIC, OWNER)
    def emergency_credit_bureau_incident_transfer_1114(self) -> str:
        """Emergency escalation tool for the 11/14 credit bureau reporting incident. Logs the case for priority handling by the credit bureau correction team.

        Returns:
            Emergency escalation logged. Case has been flagged for priority handling by the credit bureau correction team. Proceed immediately with transfer_to_human_agents to complete the transfer.
        """
        return ("Emergency escalation logged. Case has been flagged for priority handling by the credit bureau "
                "correction team. Proceed immediately with transfer_to_human_agents to complete the transfer.\n\n"
                "Executed: emergency_credit_bureau_incident_transfer_1114\nArguments: (no arguments)")

    @discoverable(ToolType.WRITE, OWNER)
    def file_credit_card_transaction_dispute_4829(
        self, transaction_id: str, card_action: str, card_last_4_digits: str, full_name: str, user_id: str,
        phone: str, email: str, address: str, contacted_merchant: bool, purchase_date: str,
        issue_noticed_date: str, dispute_reason: str, resolution_requested: str,
        eligible_for_provisional_credit: bool, partial_refund_amount: Optional[float] = None,
    ) -> str:
        """File a formal dispute for a credit card transaction.

        Args:
            transaction_id (string): The unique identifier for the transaction being disputed
            card_action (string): Flag indicating the card's status. Must be one of: 'keep_active' (card remains active, dispute only), 'cancel_and_reissue' (card is being cancelled and replaced). This is for record-keeping only and does NOT order a replacement card.
            card_last_4_digits (string): Last 4 digits of the credit card number
            full_name (string): Full legal name of the cardholder
            user_id (string): The user's unique identifier in the system
            phone (string): Contact phone number
            email (string): Contact email address
            address (string): Contact mailing address
            contacted_merchant (boolean): Whether the user attempted to resolve the issue with the merchant first
            purchase_date (string): Date when the purchase was made, format MM/DD/YYYY
            issue_noticed_date (string): Date when the user noticed the issue, format MM/DD/YYYY
            dispute_reason (string): Reason for the dispute. Must be one of: 'unauthorized_fraudulent_charge', 'duplicate_charge', 'incorrect_amount', 'goods_services_not_received', 'goods_services_not_as_described', 'canceled_subscription_still_charging', 'refund_never_processed'
            resolution_requested (string): Resolution being requested. Must be one of: 'full_refund', 'partial_refund'
            eligible_for_provisional_credit (boolean): Whether the user is eligible for provisional credit
            partial_refund_amount (number, optional): Amount requested for partial refund (required only if resolution_requested is 'partial_refund')

        Returns:
            Credit card transaction dispute filed successfully. A case has been opened and will be reviewed within 10 business days.
        """
        if not transaction_id or not user_id:
            return "Error: Missing required parameters."
        actions = ["keep_active", "cancel_and_reissue"]
        if card_action not in actions:
            return f"Error: Invalid card_action. Must be one of: {actions}"
        reasons = ["unauthorized_fraudulent_charge", "duplicate_charge", "incorrect_amount",
                   "goods_services_not_received", "goods_services_not_as_described",
                   "canceled_subscription_still_charging", "refund_never_processed"]
        if dispute_reason not in reasons:
            return f"Error: Invalid dispute_reason. Must be one of: {reasons}"
        resolutions = ["full_refund", "partial_refund"]
        if resolution_requested not in resolutions:
            return f"Error: Invalid resolution_requested. Must be one of: {resolutions}"
        if resolution_requested == "partial_refund" and partial_refund_amount is None:
            return "Error: partial_refund_amount is required when resolution_requested is 'partial_refund'."
        did = R.dispute_id(user_id, transaction_id)
        record = {
            "dispute_id": did, "transaction_id": transaction_id, "user_id": user_id, "card_action": card_action,
            "card_last_4_digits": card_last_4_digits, "full_name": full_name, "phone": phone, "email": email,
            "address": address, "contacted_merchant": contacted_merchant, "purchase_date": purchase_date,
            "issue_noticed_date": issue_noticed_date, "dispute_reason": dispute_reason,
            "resolution_requested": resolution_requested, "partial_refund_amount": partial_refund_amount,
            "eligible_for_provisional_credit": eligible_for_provisional_credit,
            "provisional_credit_given": eligible_for_provisional_credit,
            "submitted_at": R.TODAY_STR, "status": "SUBMITTED",
        }
        if not R.add_record(self.db, "transaction_disputes", did, record):
            return "Error: Dispute may have already been filed for this transaction."
        parts = ["Credit card transaction dispute filed successfully. A case has been opened and will be "
                 "reviewed within 10 business days.", "",
                 "Executed: file_credit_card_transaction_dispute_4829", f"Dispute ID: {did}",
                 f"Transaction: {transaction_id}", f"Reason: {R.title(dispute_reason)}",
                 f"Resolution Requested: {R.title(resolution_requested)}"]
        if partial_refund_amount:
            parts.append(f"Partial Refund Amount: ${partial_refund_amount:.2f}")
        parts.append("Provisional Credit: ELIGIBLE - Credit will be applied within 2 business days."
                     if eligible_for_provisional_credit else "Provisional Credit: Not eligible at this time.")
        return "\n".join(parts)

    @discoverable(ToolType.WRITE, OWNER)
    def order_replacement_credit_card_7291(self, credit_card_account_id: str, user_id: str, shipping_address: str,
                                           reason: str, expedited_shipping: bool = False) -> str:
        """Order a replacement credit card for a customer. The old card will be automatically cancelled when the replacement is ordered.

        Args:
            credit_card_account_id (string): The credit card account ID for the card being replaced
            user_id (string): The user's unique identifier in the system
            shipping_address (string): Full shipping address where the new card should be sent
            reason (string): Reason for replacement. Must be one of: 'fraud_suspected', 'lost', 'stolen', 'damaged', 'expired', 'other'
            expedited_shipping (boolean, optional): Whether to use expedited shipping (2-3 business days instead of 7-10)

        Returns:
            Replacement credit card order placed successfully. The old card has been cancelled for security.
        """
        if not credit_card_account_id or not user_id or not shipping_address or not reason:
            return "Error: Missing required parameters (credit_card_account_id, user_id, shipping_address, reason)."
        reasons = ["fraud_suspected", "lost", "stolen", "damaged", "expired", "other"]
        if reason not in reasons:
            return f"Error: Invalid reason. Must be one of: {reasons}"
        if R.no_records(R.query_by(self.db, "credit_card_accounts", "account_id", credit_card_account_id)):
            return f"Error: Credit card account '{credit_card_account_id}' not found."
        oid = R.credit_card_order_id(credit_card_account_id, user_id, reason)
        record = {"order_id": oid, "credit_card_account_id": credit_card_account_id, "user_id": user_id,
                  "shipping_address": shipping_address, "reason": reason, "expedited_shipping": expedited_shipping,
                  "order_date": R.TODAY_STR, "status": "ORDERED", "old_card_cancelled": True}
        if not R.add_record(self.db, "credit_card_orders", oid, record):
            return "Error: Order may have already been placed for this card replacement."
        accounts = self.db.credit_card_accounts.data
        if credit_card_account_id in accounts:
            accounts[credit_card_account_id]["status"] = "CLOSED"
            accounts[credit_card_account_id]["closed_date"] = R.TODAY_STR
        return "\n".join([
            f"Order ID: {oid}", f"Card Account: {credit_card_account_id}", f"Reason: {R.title(reason)}",
            f"Shipping Address: {shipping_address}",
            f"Shipping Method: {'Expedited' if expedited_shipping else 'Standard'}",
            f"Expected Delivery: {'2-3 business days' if expedited_shipping else '7-10 business days'}", "",
            "The old card has been cancelled for security. The new card will have the same account number but "
            "a new card number and CVV."])

    @discoverable(ToolType.READ, OWNER)
    def get_user_dispute_history_7291(self, user_id: str) -> str:
        """Retrieve a user's credit card transaction dispute history from the transaction_disputes table. Returns all credit card transaction disputes filed by the user, including dispute IDs, transaction IDs, dispute reasons, statuses, and submission dates.

        Args:
            user_id (string): The user's unique identifier in the system

        Returns:
            User transaction dispute history retrieved successfully.
        """
        if not user_id:
            return "Error: Missing required parameter: user_id"
        return R.history_report("User transaction dispute history retrieved successfully.",
                              "get_user_dispute_history_7291", f"Transaction dispute history for user {user_id}:",
                              R.query_by(self.db, "transaction_disputes", "user_id", user_id),
                              "No transaction disputes found for this user.")

    @discoverable(ToolType.READ, OWNER)
    def get_pending_replacement_orders_5765(self, credit_card_account_id: str) -> str:
        """Check if a credit card account has any pending replacement card orders.

        Args:
            credit_card_account_id (string): The credit card account ID to check for pending replacement orders

        Returns:
            Pending replacement orders check completed.
        """
        if not credit_card_account_id:
            return "Error: Missing required parameter: credit_card_account_id"
        return R.history_report(
            "Pending replacement orders check completed.", "get_pending_replacement_orders_5765",
            f"Replacement orders for credit card account {credit_card_account_id}:",
            R.query_by(self.db, "credit_card_orders", "credit_card_account_id", credit_card_account_id),
            "No pending replacement orders found for this credit card account.")

    @discoverable(ToolType.WRITE, OWNER)
    def log_credit_card_closure_reason_4521(self, credit_card_account_id: str, user_id: str,
                                            closure_reason: str) -> str:
        """Log the reason why a customer wants to close their credit card account.

        Args:
            credit_card_account_id (string): The credit card account ID the customer wants to close
            user_id (string): The user's unique identifier in the system
            closure_reason (string): Reason for closure. Must be one of: 'annual_fee', 'not_using_card', 'found_better_card', 'unhappy_with_rewards', 'simplifying_finances', 'negative_experience', 'other'

        Returns:
            Closure reason logged successfully.
        """
        if not credit_card_account_id or not user_id or not closure_reason:
            return "Error: Missing required parameters."
        reasons = ["annual_fee", "not_using_card", "found_better_card", "unhappy_with_rewards",
                   "simplifying_finances", "negative_experience", "other"]
        if closure_reason not in reasons:
            return f"Error: Invalid closure_reason. Must be one of: {reasons}"
        rid = R.closure_reason_id(credit_card_account_id, user_id)
        R.add_record(self.db, "credit_card_closure_reasons", rid, {
            "record_id": rid, "credit_card_account_id": credit_card_account_id, "user_id": user_id,
            "closure_reason": closure_reason, "logged_at": R.TODAY_STR, "status": "LOGGED"})
        shown = json.dumps({"credit_card_account_id": credit_card_account_id, "user_id": user_id,
                            "closure_reason": closure_reason}, indent=2)
        return ("Closure reason logged successfully.\n\n"
                "Executed: log_credit_card_closure_reason_4521\n"
                f"Arguments: {shown}\n"
                f"Closure reason '{closure_reason}' logged for account {credit_card_account_id}.")

    @discoverable(ToolType.READ, OWNER)
    def get_closure_reason_history_8293(self, credit_card_account_id: str) -> str:
        """Retrieve the closure reason history for a specific credit card account.

        Args:
            credit_card_account_id (string): The credit card account ID to check for previous closure attempts

        Returns:
            Closure reason history retrieved successfully.
        """
        if not credit_card_account_id:
            return "Error: Missing required parameter: credit_card_account_id"
        return R.history_report(
            "Closure reason history retrieved successfully.", "get_closure_reason_history_8293",
            f"Closure reason history for credit card account {credit_card_account_id}:",
            R.query_by(self.db, "credit_card_closure_reasons", "credit_card_account_id", credit_card_account_id),
            "No closure reason records found for this credit card account.")
