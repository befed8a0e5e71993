"""Discoverable agent tools for credit card accounts: statement credits, account flags,
closing, payments from checking, and credit limit increases. Docstrings are the reference's
tool definitions verbatim; outputs are its exact texts."""
from __future__ import annotations

import json

from envs.tau2_lite.domains.banking_knowledge import records as R
from envs.tau2_lite.domains.banking_knowledge.discovery import discoverable
from envs.tau2_lite.domains.banking_knowledge.toolkit_base import BankingToolkit
from envs.tau2_lite.toolkit import ToolType

OWNER = "KnowledgeTools"


class CreditCardAccountTools(BankingToolkit):

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
                f"  - Credit Amount: ${amount:.2f}\n  - Reason: {R.title(reason)}\n  - Date: {R.TODAY_STR}")

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
                f"  - Flag Type: {R.title(flag_type)}\n  - Effective Date: {R.TODAY_STR}\n"
                f"  - Expiration Date: {expiration_date}\n  - Reason: {R.title(reason)}")

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
        return R.history_report(
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
