"""Discoverable agent tools that issue debit cards: ordering one and the three activation
variants (new, replacement, reissued). Docstrings are the reference's tool definitions
verbatim; outputs are its exact texts."""
from __future__ import annotations

from typing import Any, Optional

from envs.tau2_lite.domains.banking_knowledge import records as R
from envs.tau2_lite.domains.banking_knowledge.discovery import discoverable
from envs.tau2_lite.domains.banking_knowledge.toolkit_base import BankingToolkit
from envs.tau2_lite.domains.banking_knowledge.tools_debit import pin_problem
from envs.tau2_lite.toolkit import ToolType

OWNER = "KnowledgeTools"
_ACTIVATION_TOOL = {"new_account": "activate_debit_card_8291", "first_card": "activate_debit_card_8291",
                    "lost": "activate_debit_card_8292", "stolen": "activate_debit_card_8292",
                    "fraud": "activate_debit_card_8292", "expired": "activate_debit_card_8293",
                    "damaged": "activate_debit_card_8293", "upgrade": "activate_debit_card_8293",
                    "bank_reissue": "activate_debit_card_8293"}
_ACTIVATION_DOC = """\
        Args:
            card_id (string): The debit card ID to activate
            last_4_digits (string): Last 4 digits of the card number (for verification)
            expiration_date (string): Card expiration date in MM/YY format
            cvv (string): 3-digit CVV from the back of the card
            pin (string): 4-digit PIN chosen by the customer
"""




class DebitCardIssueTools(BankingToolkit):

    def _activation_check(self, card_id: str, last_4_digits: str, expiration_date: str, cvv: str, pin: str,
                          allowed: list[str], tool_name: str) -> tuple[Optional[str], Optional[dict[str, Any]]]:
        """The checks every activation variant makes: (error text, None) or (None, card)."""
        if not all([card_id, last_4_digits, expiration_date, cvv, pin]):
            return ("Error: Missing required parameters. Required: card_id, last_4_digits, expiration_date, "
                    "cvv, pin."), None
        problem = pin_problem(pin)
        if problem:
            return f"Error: {problem}", None
        if not cvv.isdigit() or len(cvv) != 3:
            return "Error: CVV must be exactly 3 digits.", None
        if not last_4_digits.isdigit() or len(last_4_digits) != 4:
            return "Error: Last 4 digits must be exactly 4 digits.", None
        if card_id not in self.db.debit_cards.data:
            return f"Error: Debit card '{card_id}' not found.", None
        card = self.db.debit_cards.data[card_id]
        reason = card.get("issue_reason", "new_account")
        if reason not in allowed:
            right = _ACTIVATION_TOOL.get(reason, "unknown")
            return (f"Error: Wrong activation tool. This card has issue_reason='{reason}'. Please use {right} "
                    f"instead of {tool_name}."), None
        if card.get("status") == "ACTIVE":
            return f"Error: Debit card '{card_id}' is already active.", None
        if card.get("status") != "PENDING":
            return (f"Error: Debit card '{card_id}' cannot be activated. Current status: {card.get('status')}. "
                    "Only PENDING cards can be activated."), None
        if card.get("last_4_digits") != last_4_digits:
            return "Error: Card verification failed. The last 4 digits do not match our records.", None
        account_id = card.get("account_id")
        if account_id and account_id in self.db.accounts.data and \
                self.db.accounts.data[account_id].get("status") != "OPEN":
            return (f"Error: The linked checking account '{account_id}' is no longer open. "
                    "Card cannot be activated."), None
        return None, card

    def _other_active_cards(self, card_id: str, account_id: Any) -> list[tuple[str, dict[str, Any]]]:
        return [(cid, c) for cid, c in self.db.debit_cards.data.items()
                if cid != card_id and c.get("account_id") == account_id and c.get("status") == "ACTIVE"]

    @discoverable(ToolType.WRITE, OWNER)
    def order_debit_card_5739(self, account_id: str, user_id: str, delivery_option: str, delivery_fee: float,
                              card_design: str, design_fee: float, shipping_address: str,
                              excess_replacement_fee: Optional[float] = None) -> str:
        """Order a new debit card for a customer's checking account.

        Args:
            account_id (string): The checking account ID to link the debit card to
            user_id (string): The customer's unique identifier
            delivery_option (string): Shipping speed: STANDARD, EXPEDITED, or RUSH
            delivery_fee (number): Fee to charge for delivery in dollars
            card_design (string): Card design: CLASSIC, PREMIUM, or CUSTOM
            design_fee (number): Fee to charge for card design in dollars
            shipping_address (string): Full shipping address for card delivery
            excess_replacement_fee (number, optional): Fee for exceeding replacement limit, if applicable

        Returns:
            Debit card order placed successfully.
        """
        excess = excess_replacement_fee or 0
        try:
            delivery_fee = float(delivery_fee) if delivery_fee is not None else None
        except (TypeError, ValueError):
            return "Error: delivery_fee must be a number."
        try:
            design_fee = float(design_fee) if design_fee is not None else None
        except (TypeError, ValueError):
            return "Error: design_fee must be a number."
        try:
            excess = float(excess)
        except (TypeError, ValueError):
            excess = 0
        if not all([account_id, user_id, delivery_option, delivery_fee is not None, card_design,
                    design_fee is not None, shipping_address]):
            return ("Error: Missing required parameters. Required: account_id, user_id, delivery_option, "
                    "delivery_fee, card_design, design_fee, shipping_address.")
        if delivery_option.upper() not in ("STANDARD", "EXPEDITED", "RUSH"):
            return "Error: Invalid delivery_option. Must be one of: ['STANDARD', 'EXPEDITED', 'RUSH']"
        delivery_option = delivery_option.upper()
        if card_design.upper() not in ("CLASSIC", "PREMIUM", "CUSTOM"):
            return "Error: Invalid card_design. Must be one of: ['CLASSIC', 'PREMIUM', 'CUSTOM']"
        card_design = card_design.upper()
        accounts = self.db.accounts.data
        if account_id not in accounts:
            return f"Error: Account '{account_id}' not found."
        account = accounts[account_id]
        if account.get("class") != "checking":
            return (f"Error: Debit cards can only be ordered for checking accounts. Account '{account_id}' is a "
                    f"{account.get('class')} account.")
        if account.get("status") != "OPEN":
            return f"Error: Account must be OPEN. Account '{account_id}' has status: {account.get('status')}"
        if account.get("user_id") != user_id:
            return f"Error: Account '{account_id}' does not belong to user '{user_id}'."
        try:
            holdings = float(str(account.get("current_holdings", "0")).replace(",", ""))
        except ValueError:
            holdings = 0.0
        if holdings < 25.0:
            return f"Error: Account must have a minimum balance of $25. Current balance: ${holdings:.2f}"
        for order in self.db.debit_card_orders.data.values():
            if order.get("account_id") == account_id and order.get("status") == "PENDING":
                return f"Error: There is already a pending debit card order for account '{account_id}'."
        cards = self.db.debit_cards.data
        if sum(1 for c in cards.values() if c.get("account_id") == account_id and c.get("status") == "ACTIVE") >= 1:
            return (f"Error: Account '{account_id}' already has an active debit card. Maximum 1 active card per "
                    "checking account.")
        total = delivery_fee + design_fee + excess
        if total > 0 and holdings < total:
            return f"Error: Insufficient funds for fees. Total fees: ${total:.2f}. Current balance: ${holdings:.2f}"
        expected = {"STANDARD": "7-10 business days", "EXPEDITED": "3-5 business days",
                    "RUSH": "1-2 business days"}[delivery_option]
        today = R.TODAY_STR
        oid = R.debit_card_order_id(account_id, user_id, delivery_option)
        order = {"order_id": oid, "account_id": account_id, "user_id": user_id, "delivery_option": delivery_option,
                 "card_design": card_design, "shipping_address": shipping_address, "delivery_fee": delivery_fee,
                 "design_fee": design_fee, "excess_replacement_fee": excess, "total_fee": total,
                 "order_date": today, "expected_delivery": expected, "status": "PENDING"}
        if not R.add_record(self.db, "debit_card_orders", oid, order):
            return "Error: Failed to create debit card order. Order may already exist."
        if total > 0:
            accounts[account_id]["current_holdings"] = f"{holdings - total:.2f}"
            what = []
            if delivery_fee > 0:
                what.append(f"Delivery ${delivery_fee}")
            if design_fee > 0:
                what.append(f"Design ${design_fee}")
            if excess > 0:
                what.append(f"Excess Replacement ${excess:.0f}")
            fee_id = f"btxn_dcfee_{oid[-8:]}"
            R.add_record(self.db, "bank_account_transaction_history", fee_id, {
                "transaction_id": fee_id, "account_id": account_id, "date": today,
                "description": f"DEBIT CARD ORDER FEE - {', '.join(what)}", "amount": -total,
                "type": "debit_card_fee", "status": "posted"})
        card_id = R.debit_card_id(account_id, user_id, today)
        last4 = "".join(c for c in R.hex_id(f"card_details:{card_id}:last4", 8) if c.isdigit())[:4].zfill(4)
        cvv = "".join(c for c in R.hex_id(f"card_details:{card_id}:cvv", 6) if c.isdigit())[:3].zfill(3)
        holder = "CARDHOLDER"
        if user_id in self.db.users.data:
            holder = self.db.users.data[user_id].get("name", "CARDHOLDER").upper()
        month, _, year = today.split("/")
        day = "31" if month in ("01", "03", "05", "07", "08", "10", "12") else ("28" if month == "02" else "30")
        existing = [c for c in cards.values() if c.get("account_id") == account_id]
        closed = next((c for c in existing if c.get("status") == "CLOSED"), None)
        if closed:
            why = closed.get("closure_reason", "first_card")
            issue_reason = ("fraud" if why == "fraud_suspected" else why) if why in (
                "lost", "stolen", "fraud", "fraud_suspected") else "first_card"
        else:
            issue_reason = "first_card" if existing else "new_account"
        R.add_record(self.db, "debit_cards", card_id, {
            "card_id": card_id, "account_id": account_id, "user_id": user_id, "cardholder_name": holder,
            "last_4_digits": last4, "cvv": cvv, "status": "PENDING", "issue_date": today,
            "expiration_date": f"{month}/{day}/{int(year) + 4}", "card_design": card_design,
            "issue_reason": issue_reason})
        parts = ["Debit Card Order Confirmed", f"Order ID: {oid}", f"Card ID: {card_id}",
                 f"Linked Account: {account_id}", f"Delivery Option: {delivery_option}",
                 f"Card Design: {card_design}", f"Shipping Address: {shipping_address}",
                 f"Expected Delivery: {expected}", "",
                 "Note: Card will arrive with status PENDING. Customer must call to activate after receiving the card."]
        if total > 0:
            details = []
            if delivery_fee > 0:
                details.append(f"Delivery: ${delivery_fee}")
            if design_fee > 0:
                details.append(f"Design: ${design_fee}")
            if excess > 0:
                details.append(f"Excess Replacement: ${excess:.0f}")
            parts.append(f"Total Fees: ${total:.2f} ({', '.join(details)}) - CHARGED to account {account_id}")
            parts.append(f"New Account Balance: ${holdings - total:.2f}")
        else:
            parts.append("Total Fees: $0 (No additional charges)")
        return "\n".join(parts)

    @discoverable(ToolType.WRITE, OWNER)
    def activate_debit_card_8291(self, card_id: str, last_4_digits: str, expiration_date: str, cvv: str,
                                 pin: str) -> str:
        error, card = self._activation_check(card_id, last_4_digits, expiration_date, cvv, pin,
                                             ["new_account", "first_card"], "activate_debit_card_8291")
        if error:
            return error
        card["status"], card["activated_date"] = "ACTIVE", R.TODAY_STR
        off = []
        for cid, other in self._other_active_cards(card_id, card.get("account_id")):
            other.update(status="DEACTIVATED", deactivated_date=R.TODAY_STR, deactivation_reason="New card activated")
            off.append(cid)
        parts = ["New Debit Card Activation Successful", f"Card ID: {card_id}", "Status: ACTIVE",
                 f"Activation Date: {R.TODAY_STR}", "",
                 "Your card is now ready to use at any ATM or point of sale terminal.",
                 "For security, please sign the back of your card."]
        if off:
            parts.append(f"\nNote: Previous card(s) have been deactivated: {', '.join(off)}")
        return "\n".join(parts)

    activate_debit_card_8291.__doc__ = """Activate a NEW debit card for a customer. Use ONLY for first-time cards on a checking account (issue_reason = 'new_account' or 'first_card'). For replacement or reissued cards, use the appropriate variant.

""" + _ACTIVATION_DOC + """
        Returns:
            New debit card activated successfully.
        """

    @discoverable(ToolType.WRITE, OWNER)
    def activate_debit_card_8292(self, card_id: str, last_4_digits: str, expiration_date: str, cvv: str,
                                 pin: str) -> str:
        error, card = self._activation_check(card_id, last_4_digits, expiration_date, cvv, pin,
                                             ["lost", "stolen", "fraud"], "activate_debit_card_8292")
        if error:
            return error
        reason = card.get("issue_reason", "lost")
        card["status"], card["activated_date"] = "ACTIVE", R.TODAY_STR
        off = []
        for cid, other in self._other_active_cards(card_id, card.get("account_id")):
            other.update(status="DEACTIVATED", deactivated_date=R.TODAY_STR,
                         deactivation_reason=f"Replacement card activated ({reason})")
            off.append(cid)
        parts = ["Replacement Debit Card Activation Successful", f"Card ID: {card_id}",
                 f"Replacement Reason: {R.title(reason)}", "Status: ACTIVE", f"Activation Date: {R.TODAY_STR}", "",
                 "Your replacement card is now ready to use.", "", "IMPORTANT SECURITY REMINDERS:",
                 "- Please review your recent transactions for any unauthorized charges",
                 "- Report any suspicious activity immediately"]
        if reason == "fraud":
            parts.append("- Since fraud was suspected, we recommend changing your online banking password")
        if off:
            parts.append(f"\nPrevious card(s) have been deactivated for security: {', '.join(off)}")
        return "\n".join(parts)

    activate_debit_card_8292.__doc__ = """Activate a REPLACEMENT debit card. Use ONLY for cards replacing lost, stolen, or fraud-suspected cards (issue_reason = 'lost', 'stolen', or 'fraud'). For new or reissued cards, use the appropriate variant.

""" + _ACTIVATION_DOC + """
        Returns:
            Replacement debit card activated successfully.
        """

    @discoverable(ToolType.WRITE, OWNER)
    def activate_debit_card_8293(self, card_id: str, last_4_digits: str, expiration_date: str, cvv: str,
                                 pin: str) -> str:
        error, card = self._activation_check(card_id, last_4_digits, expiration_date, cvv, pin,
                                             ["expired", "damaged", "upgrade", "bank_reissue"],
                                             "activate_debit_card_8293")
        if error:
            return error
        reason = card.get("issue_reason", "expired")
        card["status"], card["activated_date"] = "ACTIVE", R.TODAY_STR
        graced = []
        for cid, other in self._other_active_cards(card_id, card.get("account_id")):
            other.update(status="GRACE_PERIOD", grace_period_ends=R.TODAY_STR,
                         deactivation_reason=f"Reissued card activated ({reason})")
            graced.append(cid)
        parts = ["Reissued Debit Card Activation Successful", f"Card ID: {card_id}",
                 f"Reissue Reason: {R.title(reason)}", "Status: ACTIVE", f"Activation Date: {R.TODAY_STR}", "",
                 "Your reissued card is now ready to use."]
        if graced:
            parts.append(f"\nNote: Your previous card(s) ({', '.join(graced)}) will remain active for 24 hours as a "
                         "grace period.")
            parts.append("After 24 hours, the old card(s) will be automatically deactivated.")
        if reason in ("expired", "bank_reissue"):
            parts.append("\nReminder: If your card number changed, please update any recurring payments with your "
                         "new card details.")
        return "\n".join(parts)

    activate_debit_card_8293.__doc__ = """Activate a REISSUED debit card. Use ONLY for cards reissued due to expiration, damage, design upgrade, or bank-initiated replacement (issue_reason = 'expired', 'damaged', 'upgrade', or 'bank_reissue'). For new or replacement cards, use the appropriate variant.

""" + _ACTIVATION_DOC + """
        Returns:
            Reissued debit card activated successfully.
        """
