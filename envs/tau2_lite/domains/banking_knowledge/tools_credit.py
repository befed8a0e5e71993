"""Discoverable agent tools for credit cards (disputes, replacements, closures, credits,
flags, payments, credit limits). Docstrings are the reference's tool definitions verbatim;
outputs are its exact texts."""
from __future__ import annotations

import json
from typing import Optional

from envs.tau2_lite.domains.banking_knowledge import records as R
from envs.tau2_lite.domains.banking_knowledge.discovery import discoverable
from envs.tau2_lite.domains.banking_knowledge.toolkit_base import BankingToolkit
from envs.tau2_lite.toolkit import ToolType

OWNER = "KnowledgeTools"


def history_report(header: str, tool: str, subject: str, result: str, empty: str) -> str:
    """The read tools' common shape: a header, then the records or a 'none found' line."""
    parts = [header, "", f"Executed: {tool}", subject]
    parts.append(result if not R.no_records(result) else f"\n{empty}")
    return "\n".join(parts)


def title(text: str) -> str:
    return text.replace("_", " ").title()


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
                 f"Transaction: {transaction_id}", f"Reason: {title(dispute_reason)}",
                 f"Resolution Requested: {title(resolution_requested)}"]
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
            f"Order ID: {oid}", f"Card Account: {credit_card_account_id}", f"Reason: {title(reason)}",
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
        return history_report("User transaction dispute history retrieved successfully.",
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
        return history_report(
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
        return history_report(
            "Closure reason history retrieved successfully.", "get_closure_reason_history_8293",
            f"Closure reason history for credit card account {credit_card_account_id}:",
            R.query_by(self.db, "credit_card_closure_reasons", "credit_card_account_id", credit_card_account_id),
            "No closure reason records found for this credit card account.")

    @discoverable(ToolType.WRITE, OWNER)
    def apply_statement_credit_8472(self, user_id: str, credit_card_account_id: str, amount: float,
                                    reason: str) -> str:
        """Apply a statement credit to a customer's credit card account.

        Args:
            user_id (string): The user's unique identifier in the system
            credit_card_account_id (string): The credit card account ID to apply the credit to
            amount (number): The credit amount in dollars (e.g., 25.00 for a $25 credit)
            reason (string): Reason for the statement credit. Must be one of: 'goodwill_adjustment', 'promotional_credit', 'annual_fee_reversal', 'late_fee_reversal', 'interest_charge_reversal', 'dispute_resolution', 'price_match', 'retention_offer', 'error_correction', 'other'

        Returns:
            Statement credit applied successfully.
        """
        if not user_id or not credit_card_account_id or amount is None or not reason:
            return "Error: Missing required parameters (user_id, credit_card_account_id, amount, reason)."
        if amount <= 0:
            return "Error: Credit amount must be positive."
        reasons = ["goodwill_adjustment", "promotional_credit", "annual_fee_reversal", "late_fee_reversal",
                   "interest_charge_reversal", "dispute_resolution", "price_match", "retention_offer",
                   "error_correction", "other"]
        if reason not in reasons:
            return f"Error: Invalid reason. Must be one of: {reasons}"
        if R.no_records(R.query_by(self.db, "credit_card_accounts", "account_id", credit_card_account_id)):
            return f"Error: Credit card account '{credit_card_account_id}' not found."
        tid = R.transaction_id(user_id, "STATEMENT_CREDIT", reason, amount, "Statement Credit")
        record = {"transaction_id": tid, "user_id": user_id, "credit_card_account_id": credit_card_account_id,
                  "credit_card_type": "N/A", "merchant_name": "Rho-Bank Statement Credit",
                  "transaction_amount": f"-${amount:.2f}", "transaction_date": R.TODAY_STR,
                  "category": "Statement Credit", "status": "COMPLETED", "rewards_earned": "0 points",
                  "credit_reason": reason}
        if not R.add_record(self.db, "credit_card_transaction_history", tid, record):
            return f"Error: Failed to apply statement credit. Transaction ID '{tid}' may already exist."
        return ("Statement credit applied successfully.\n\n"
                "Executed: apply_statement_credit_8472\n"
                f"  - Transaction ID: {tid}\n  - User ID: {user_id}\n  - Account: {credit_card_account_id}\n"
                f"  - Credit Amount: ${amount:.2f}\n  - Reason: {title(reason)}\n  - Date: {R.TODAY_STR}")

    @discoverable(ToolType.WRITE, OWNER)
    def apply_credit_card_account_flag_6147(self, credit_card_account_id: str, user_id: str, flag_type: str,
                                            expiration_date: str, reason: str) -> str:
        """Apply a flag to a customer's credit card account. Flags can include annual fee waivers, promotional APR rates, rewards bonuses, or other account-level modifiers. Each flag has an effective date and expiration date.

        Args:
            credit_card_account_id (string): The credit card account ID to apply the flag to
            user_id (string): The user's unique identifier in the system
            flag_type (string): Type of flag to apply. Must be one of: 'annual_fee_waived', 'promotional_apr', 'rewards_bonus', 'other'
            expiration_date (string): Date when the flag expires (MM/DD/YYYY format)
            reason (string): Reason for applying this flag. Must be one of: 'retention_offer', 'loyalty_benefit', 'promotional', 'error_correction', 'other'

        Returns:
            Account flag applied successfully.
        """
        if not credit_card_account_id or not user_id or not flag_type or not expiration_date or not reason:
            return ("Error: Missing required parameters (credit_card_account_id, user_id, flag_type, "
                    "expiration_date, reason).")
        flag_types = ["annual_fee_waived", "promotional_apr", "rewards_bonus", "other"]
        if flag_type not in flag_types:
            return f"Error: Invalid flag_type. Must be one of: {flag_types}"
        reasons = ["retention_offer", "loyalty_benefit", "promotional", "error_correction", "other"]
        if reason not in reasons:
            return f"Error: Invalid reason. Must be one of: {reasons}"
        if R.no_records(R.query_by(self.db, "credit_card_accounts", "account_id", credit_card_account_id)):
            return f"Error: Credit card account '{credit_card_account_id}' not found."
        fid = R.account_flag_id(credit_card_account_id, flag_type, expiration_date)
        record = {"flag_id": fid, "credit_card_account_id": credit_card_account_id, "user_id": user_id,
                  "flag_type": flag_type, "effective_date": R.TODAY_STR, "expiration_date": expiration_date,
                  "reason": reason, "applied_at": R.TODAY_STR, "status": "ACTIVE"}
        if not R.add_record(self.db, "credit_card_account_flags", fid, record):
            return f"Error: Failed to apply account flag. Flag ID '{fid}' may already exist."
        return ("Account flag applied successfully!\n"
                f"  - Flag ID: {fid}\n  - Account: {credit_card_account_id}\n  - User ID: {user_id}\n"
                f"  - Flag Type: {title(flag_type)}\n  - Effective Date: {R.TODAY_STR}\n"
                f"  - Expiration Date: {expiration_date}\n  - Reason: {title(reason)}")

    @discoverable(ToolType.WRITE, OWNER)
    def close_credit_card_account_7834(self, credit_card_account_id: str, user_id: str) -> str:
        """Close a customer's credit card account permanently.

        Args:
            credit_card_account_id (string): The credit card account ID to close
            user_id (string): The user's unique identifier in the system

        Returns:
            Credit card account closed successfully.
        """
        if not credit_card_account_id or not user_id:
            return "Error: Missing required parameters (credit_card_account_id, user_id)."
        if R.no_records(R.query_by(self.db, "credit_card_accounts", "account_id", credit_card_account_id)):
            return f"Error: Credit card account '{credit_card_account_id}' not found."
        if not R.update_record(self.db, "credit_card_accounts", credit_card_account_id,
                               {"status": "CLOSED", "closed_date": R.TODAY_STR, "closed_by": user_id}):
            return f"Error: Failed to close credit card account '{credit_card_account_id}'."
        shown = json.dumps({"credit_card_account_id": credit_card_account_id, "user_id": user_id}, indent=2)
        return ("Credit card account closed successfully.\n\n"
                "Executed: close_credit_card_account_7834\n"
                f"Arguments: {shown}\n"
                f"Account {credit_card_account_id} has been closed.")

    @discoverable(ToolType.WRITE, OWNER)
    def pay_credit_card_from_checking_9182(self, user_id: str, checking_account_id: str,
                                           credit_card_account_id: str, amount: float) -> str:
        """Pay off a credit card balance using funds from the customer's Rho-Bank checking account. This deducts the specified amount from the checking account and reduces the credit card balance by the same amount.

        Args:
            user_id (string): The customer's unique identifier in the system
            checking_account_id (string): The ID of the Rho-Bank checking account to debit funds from
            credit_card_account_id (string): The ID of the credit card account to apply the payment to
            amount (number): The payment amount in dollars. Must be a positive number.

        Returns:
            Credit card payment processed successfully.
        """
        if not user_id or not checking_account_id or not credit_card_account_id or amount is None:
            return ("Error: Missing required parameters (user_id, checking_account_id, credit_card_account_id, "
                    "amount).")
        try:
            amount = float(amount)
            if amount <= 0:
                return "Error: Payment amount must be a positive number."
        except (ValueError, TypeError):
            return "Error: Invalid payment amount. Must be a positive number."
        accounts = self.db.accounts.data
        if checking_account_id not in accounts:
            return f"Error: Checking account '{checking_account_id}' not found."
        checking = accounts[checking_account_id]
        if checking.get("user_id") != user_id:
            return f"Error: Checking account '{checking_account_id}' does not belong to user '{user_id}'."
        if checking.get("class") != "checking":
            return f"Error: Account '{checking_account_id}' is not a checking account."
        balance = R.balance_of(checking)
        if amount > balance:
            return (f"Error: Insufficient funds in checking account. Available balance: ${balance:.2f}, "
                    f"requested payment: ${amount:.2f}.")
        cards = self.db.credit_card_accounts.data
        if credit_card_account_id not in cards:
            return f"Error: Credit card account '{credit_card_account_id}' not found."
        card = cards[credit_card_account_id]
        if card.get("user_id") != user_id:
            return f"Error: Credit card account '{credit_card_account_id}' does not belong to user '{user_id}'."
        try:
            owed = float(str(card.get("current_balance", "$0.00")).replace("$", "").replace(",", ""))
        except (ValueError, TypeError):
            owed = 0.0
        if amount > owed:
            return (f"Error: Payment amount (${amount:.2f}) exceeds credit card balance (${owed:.2f}). "
                    "Please specify an amount up to the outstanding balance.")
        new_checking, new_owed = balance - amount, owed - amount
        checking["current_holdings"] = f"{new_checking:.2f}"
        card["current_balance"] = f"${new_owed:.2f}"
        return ("Payment processed successfully!\n"
                f"  - Payment Amount: ${amount:.2f}\n  - From Checking Account: {checking_account_id}\n"
                f"  - To Credit Card Account: {credit_card_account_id}\n"
                f"  - New Checking Balance: ${new_checking:.2f}\n  - New Credit Card Balance: ${new_owed:.2f}\n"
                "The payment has been applied immediately.")

    @discoverable(ToolType.WRITE, OWNER)
    def submit_credit_limit_increase_request_7392(self, credit_card_account_id: str, user_id: str,
                                                  requested_increase_amount: int) -> str:
        """Submit a credit limit increase request for a customer's credit card.

        Args:
            credit_card_account_id (string): The credit card account ID to request increase for
            user_id (string): The customer's unique identifier in the system
            requested_increase_amount (integer): The dollar amount by which to increase the credit limit (e.g., 2500 for $2,500)

        Returns:
            Credit limit increase request submitted successfully.
        """
        if not credit_card_account_id or not user_id or requested_increase_amount is None:
            return "Error: Missing required parameters."
        try:
            amount = float(requested_increase_amount)
        except (TypeError, ValueError):
            return "Error: Invalid requested_increase_amount. Must be a whole number."
        if not amount.is_integer():
            return "Error: Invalid requested_increase_amount. Must be a whole number of dollars."
        whole = int(amount)   # stored as int whether the caller sent 2500 or 2500.0
        if whole <= 0:
            return "Error: Requested increase amount must be positive."
        cards = self.db.credit_card_accounts.data
        if credit_card_account_id not in cards:
            return f"Error: Credit card account '{credit_card_account_id}' not found."
        if cards[credit_card_account_id].get("user_id") != user_id:
            return f"Error: Credit card account '{credit_card_account_id}' does not belong to user '{user_id}'."
        rid = R.limit_request_id(credit_card_account_id, user_id, whole)
        record = {"request_id": rid, "credit_card_account_id": credit_card_account_id, "user_id": user_id,
                  "requested_increase_amount": whole, "submitted_at": R.TODAY_STR, "status": "PENDING"}
        if not R.add_record(self.db, "credit_limit_increase_requests", rid, record):
            return "Error: A similar request may already exist."
        return ("Credit limit increase request submitted successfully.\n\n"
                "Executed: submit_credit_limit_increase_request_7392\n"
                f"  - Request ID: {rid}\n  - Account: {credit_card_account_id}\n"
                f"  - Requested Increase: ${whole:,}\n  - Status: PENDING")

    @discoverable(ToolType.READ, OWNER)
    def get_credit_limit_increase_history_4829(self, credit_card_account_id: str) -> str:
        """Retrieve the credit limit increase request history for a specific credit card account. Returns all previous CLI requests including dates, amounts, and statuses.

        Args:
            credit_card_account_id (string): The credit card account ID to check for CLI history

        Returns:
            Credit limit increase history retrieved.
        """
        if not credit_card_account_id:
            return "Error: Missing required parameter: credit_card_account_id"
        return history_report(
            "Credit limit increase history retrieved.", "get_credit_limit_increase_history_4829",
            f"Credit limit increase history for account {credit_card_account_id}:",
            R.query_by(self.db, "credit_limit_increase_requests", "credit_card_account_id", credit_card_account_id),
            "No credit limit increase requests found for this account.")

    @discoverable(ToolType.READ, OWNER)
    def get_payment_history_6183(self, credit_card_account_id: str, months: int) -> str:
        """Retrieve payment history for a credit card account.

        Args:
            credit_card_account_id (string): The credit card account ID to check payment history for
            months (integer): Number of months of payment history to retrieve

        Returns:
            Payment history retrieved.
        """
        if not credit_card_account_id or months is None:
            return "Error: Missing required parameters (credit_card_account_id, months)."
        try:
            months = int(months)
            if months <= 0:
                return "Error: months must be a positive integer."
        except (ValueError, TypeError):
            return "Error: Invalid months value. Must be a positive integer."
        payments = [p for p in self.db.payment_history.data.values()
                    if p.get("credit_card_account_id") == credit_card_account_id]
        if not payments:
            return f"No payment history found for account '{credit_card_account_id}'."
        payments.sort(key=lambda p: p.get("payment_date") or "", reverse=True)
        payments = payments[:months]
        on_time = 0
        for p in payments:
            if p.get("status") != "ON_TIME":
                break
            on_time += 1
        parts = [f"Payment history for account '{credit_card_account_id}' (last {months} months):",
                 f"Consecutive on-time payments: {on_time}"]
        parts.extend(f"\n  - Payment Date: {p.get('payment_date')}\n    Amount: {p.get('amount')}\n"
                     f"    Status: {p.get('status')}" for p in payments)
        return "\n".join(parts)

    @discoverable(ToolType.WRITE, OWNER)
    def approve_credit_limit_increase_5847(self, credit_card_account_id: str, user_id: str,
                                           new_credit_limit: int) -> str:
        """Approve and apply a credit limit increase for a customer's credit card.

        Args:
            credit_card_account_id (string): The credit card account ID
            user_id (string): The customer's unique identifier in the system
            new_credit_limit (integer): The new total credit limit in dollars (e.g., 7500 for $7,500)

        Returns:
            Credit limit increase approved and applied successfully.
        """
        if not credit_card_account_id or not user_id or new_credit_limit is None:
            return "Error: Missing required parameters."
        cards = self.db.credit_card_accounts.data
        if credit_card_account_id not in cards:
            return f"Error: Credit card account '{credit_card_account_id}' not found."
        card = cards[credit_card_account_id]
        if card.get("user_id") != user_id:
            return f"Error: Credit card account '{credit_card_account_id}' does not belong to user '{user_id}'."
        # Every eligibility check gives the same answer, so the agent learns nothing from it.
        ineligible = any(d.get("user_id") == user_id and d.get("status") in ("SUBMITTED", "UNDER_REVIEW", "PENDING")
                         for d in self.db.transaction_disputes.data.values())
        ineligible = ineligible or any(
            o.get("credit_card_account_id") == credit_card_account_id and o.get("status") in
            ("PENDING", "PROCESSING", "SHIPPED") for o in self.db.credit_card_orders.data.values())
        ineligible = ineligible or card.get("account_status", "").upper() in (
            "PAST_DUE", "DELINQUENT", "COLLECTIONS", "CLOSED")
        if ineligible:
            return "Error: Credit limit increase request cannot be approved at this time."
        try:
            current = float(str(card.get("credit_limit", "$0.00")).replace("$", "").replace(",", ""))
        except (ValueError, TypeError):
            current = 0.0
        new = float(new_credit_limit)
        card["credit_limit"] = f"${new:.2f}"
        rid = R.limit_request_id(credit_card_account_id, user_id, new - current)
        R.add_record(self.db, "credit_limit_increase_requests", rid, {
            "request_id": rid, "credit_card_account_id": credit_card_account_id, "user_id": user_id,
            "previous_limit": f"${current:.2f}", "new_limit": f"${new:.2f}", "increase_amount": f"${new - current:.2f}",
            "decision_date": R.TODAY_STR, "status": "APPROVED"})
        return ("Credit limit increase approved!\n"
                f"  - Account: {credit_card_account_id}\n  - Previous Limit: ${current:.2f}\n"
                f"  - New Limit: ${new:.2f}\n  - Increase: ${new - current:.2f}\n  - Effective Date: {R.TODAY_STR}\n"
                "The customer will receive a confirmation email.")

    @discoverable(ToolType.WRITE, OWNER)
    def deny_credit_limit_increase_5848(self, credit_card_account_id: str, user_id: str,
                                        denial_reason: str) -> str:
        """Deny a credit limit increase request for a customer's credit card.

        Args:
            credit_card_account_id (string): The credit card account ID
            user_id (string): The customer's unique identifier in the system
            denial_reason (string): The reason for denying the request. Must be one of: 'insufficient_account_age', 'cooldown_period_active', 'pending_disputes', 'pending_replacement_card', 'past_due_balance', 'high_utilization', 'insufficient_payment_history', 'requested_amount_exceeds_limit', 'other'

        Returns:
            Credit limit increase request denied.
        """
        if not credit_card_account_id or not user_id or not denial_reason:
            return "Error: Missing required parameters."
        reasons = ["insufficient_account_age", "cooldown_period_active", "pending_disputes",
                   "pending_replacement_card", "past_due_balance", "high_utilization",
                   "insufficient_payment_history", "requested_amount_exceeds_limit", "other"]
        if denial_reason not in reasons:
            return f"Error: Invalid denial_reason. Must be one of: {', '.join(reasons)}"
        if credit_card_account_id not in self.db.credit_card_accounts.data:
            return f"Error: Credit card account '{credit_card_account_id}' not found."
        rid = R.limit_request_id(credit_card_account_id, user_id, 0.0)
        R.add_record(self.db, "credit_limit_increase_requests", rid, {
            "request_id": rid, "credit_card_account_id": credit_card_account_id, "user_id": user_id,
            "denial_reason": denial_reason, "decision_date": R.TODAY_STR, "status": "DENIED"})
        return ("Credit limit increase request denied.\n"
                f"  - Account: {credit_card_account_id}\n  - Denial Reason: {denial_reason}\n"
                f"  - Date: {R.TODAY_STR}\n"
                "The customer will receive a notification explaining the denial.")
