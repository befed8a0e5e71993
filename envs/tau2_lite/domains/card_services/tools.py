"""The card-services agent tools.

The tools enforce what the bank's systems enforce (record existence, card-status transitions,
product limits, amounts, date formats). What the agent must decide — authentication, dispute
windows, credit-limit eligibility, fee-waiver frequency, when to transfer — is in policy.md
only, so an agent that does not follow the policy can make a write that the gold actions do not.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from typing import Literal

from envs.tau2_lite.domains.card_services.datagen import BIN, luhn_complete
from envs.tau2_lite.domains.card_services.db import (
    EXPRESS_SHIPPING_FEE, PRODUCT_MAX_LIMIT, PRODUCT_MIN_LIMIT, Account, Address, Card, CreditLimitChange,
    Customer, Dispute, DisputeReason, Fee, ReplacementOrder, ShippingMethod, TravelNotice,
)
from envs.tau2_lite.domains.card_services.tools_read import _EMAIL, CardLookupTools, _iso, normalize_phone
from envs.tau2_lite.domains.calculator import calculate_expression
from envs.tau2_lite.toolkit import ToolType, tool

MAX_TRAVEL_DAYS = 90


class CardServicesTools(CardLookupTools):
    """All agent tools of the domain: the lookups plus the writes and generic tools below."""

    def _post_fee(self, account: Account, kind: str, amount: float, description: str) -> Fee:
        fee_id = self._new_id("fees", "fee_", account.account_id, kind, description)
        fee = Fee(fee_id=fee_id, account_id=account.account_id, kind=kind, amount=amount,
                  posted_on=self.clock.today(), description=description)
        self.db.fees[fee.fee_id] = fee
        account.fee_ids.append(fee.fee_id)
        account.current_balance = round(account.current_balance + amount, 2)
        return fee

    def _issue_card(self, old: Card, same_number: bool) -> Card:
        account = self.db.accounts[old.account_id]
        card_id = self._new_id("cards", "card_", old.card_id, "replacement")
        number = old.card_number
        if not same_number:
            digest = hashlib.sha256(f"{old.card_number}:{card_id}".encode()).hexdigest()
            number = luhn_complete(BIN[account.product] + str(int(digest, 16))[:9])
        today = date.fromisoformat(self.clock.today())
        card = Card(card_id=card_id, account_id=old.account_id, cardholder_name=old.cardholder_name,
                    card_number=number, last4=number[-4:], form="physical", status="inactive",
                    expiry=f"{today.month:02d}/{(today.year + 4) % 100:02d}", issued_on=today.isoformat(),
                    pin_failed_attempts=0, atm_daily_limit=old.atm_daily_limit)
        self.db.cards[card_id] = card
        account.card_ids.append(card_id)
        return card

    def _replace(self, old: Card, reason: str, shipping_method: str) -> ReplacementOrder:
        account = self.db.accounts[old.account_id]
        customer = self.db.customers[account.customer_id]
        new = self._issue_card(old, same_number=reason == "damaged")
        fee = EXPRESS_SHIPPING_FEE[account.product] if shipping_method == "express" else 0.0
        order_id = self._new_id("replacement_orders", "rpl_", old.card_id, reason)
        order = ReplacementOrder(order_id=order_id, old_card_id=old.card_id, new_card_id=new.card_id,
                                 reason=reason, shipping_method=shipping_method, shipping_fee=fee,
                                 ship_to=customer.address.model_copy(), ordered_on=self.clock.today())
        self.db.replacement_orders[order.order_id] = order
        if fee:
            self._post_fee(account, "express_shipping", fee, f"Express card delivery ({order.order_id})")
        return order

    def _new_id(self, table: str, prefix: str, *basis: str) -> str:
        """A new record id derived from what the record is about (not from a counter).

        The same write gets the same id whatever the episode's seed and whatever order the
        writes came in, so the DB reward compares states, not call orders.
        """
        records = getattr(self.db, table)
        for salt in range(1000):
            digest = hashlib.sha256(":".join((*basis, str(salt))).encode()).hexdigest()
            candidate = f"{prefix}{int(digest, 16) % 10**7:07d}"
            if candidate not in records:
                return candidate
        raise RuntimeError(f"no free id in {table}")

    # -- write tools ---------------------------------------------------------------------------
    @tool(ToolType.WRITE)
    def freeze_card(self, card_id: str) -> Card:
        """Temporarily freeze an active card at the customer's request. It can be unfrozen later.

        Args:
            card_id: The card id, such as 'card_7a8b9c'.
        """
        card = self._card(card_id)
        if card.status != "active":
            raise ValueError(f"Only an active card can be frozen; this card is {card.status}")
        card.status, card.frozen_by = "frozen", "customer"
        return card

    @tool(ToolType.WRITE)
    def unfreeze_card(self, card_id: str) -> Card:
        """Unfreeze a frozen card, making it active again.

        Args:
            card_id: The card id, such as 'card_7a8b9c'.
        """
        card = self._card(card_id)
        if card.status != "frozen":
            raise ValueError(f"Only a frozen card can be unfrozen; this card is {card.status}")
        card.status, card.frozen_by = "active", None
        return card

    @tool(ToolType.WRITE)
    def activate_card(self, card_id: str, last4: str) -> Card:
        """Activate a newly issued card. The card it replaces, if any, is closed.

        Args:
            card_id: The id of the new card, such as 'card_7a8b9c'.
            last4: The last four digits printed on the card the customer holds.
        """
        card = self._card(card_id)
        if card.status != "inactive":
            raise ValueError(f"Only an inactive card can be activated; this card is {card.status}")
        if last4.strip() != card.last4:
            raise ValueError("The last four digits do not match the card")
        card.status = "active"
        for order in self.db.replacement_orders.values():
            old = self.db.cards[order.old_card_id]
            if order.new_card_id == card_id and old.status in ("active", "frozen"):
                old.status, old.frozen_by = "closed", None
        return card

    @tool(ToolType.WRITE)
    def report_lost_or_stolen(self, card_id: str, reason: Literal["lost", "stolen"],
                              shipping_method: ShippingMethod) -> ReplacementOrder:
        """Report a physical card lost or stolen: the card is cancelled for good and a replacement with a
        new number is shipped to the customer's address on file. Standard shipping (7-10 business days)
        is free; express shipping (2 business days) costs $25, free for platinum accounts.

        Args:
            card_id: The card id, such as 'card_7a8b9c'.
            reason: 'lost' or 'stolen'.
            shipping_method: 'standard' or 'express'.
        """
        card = self._card(card_id)
        if reason not in ("lost", "stolen"):
            raise ValueError("Reason must be 'lost' or 'stolen'")
        if card.form != "physical":
            raise ValueError("A virtual card cannot be reported lost or stolen; freeze it instead")
        if card.status not in ("active", "frozen", "inactive"):
            raise ValueError(f"This card is already {card.status}")
        card.status, card.frozen_by = reason, None
        return self._replace(card, reason, shipping_method)

    @tool(ToolType.WRITE)
    def order_replacement(self, card_id: str, shipping_method: ShippingMethod) -> ReplacementOrder:
        """Order a replacement for a damaged physical card: same number, new expiry date, shipped to the
        address on file. The old card keeps working until the new one is activated. Shipping fees as for
        report_lost_or_stolen.

        Args:
            card_id: The card id, such as 'card_7a8b9c'.
            shipping_method: 'standard' or 'express'.
        """
        card = self._card(card_id)
        if card.form != "physical":
            raise ValueError("Virtual cards have no physical replacement")
        if card.status not in ("active", "frozen"):
            raise ValueError(f"A replacement can only be ordered for an active or frozen card; this card is {card.status}")
        for order in self.db.replacement_orders.values():
            if order.old_card_id == card_id and self.db.cards[order.new_card_id].status == "inactive":
                raise ValueError(f"A replacement for this card is already on its way ({order.order_id})")
        return self._replace(card, "damaged", shipping_method)

    @tool(ToolType.WRITE)
    def reset_pin_attempts(self, card_id: str) -> Card:
        """Reset a physical card's failed-PIN counter, unlocking a PIN locked after 3 failed attempts.

        Args:
            card_id: The card id, such as 'card_7a8b9c'.
        """
        card = self._card(card_id)
        if card.form != "physical" or card.status != "active":
            raise ValueError("The PIN counter can only be reset on an active physical card")
        if card.pin_failed_attempts == 0:
            raise ValueError("This card has no failed PIN attempts")
        card.pin_failed_attempts = 0
        return card

    @tool(ToolType.WRITE)
    def change_credit_limit(self, account_id: str, new_limit: int) -> Account:
        """Change an account's credit limit (increase or decrease), in whole dollars, a multiple of 100.

        Args:
            account_id: The account id, such as 'acc_4d5e6f'.
            new_limit: The new credit limit in dollars, such as 6000.
        """
        account = self._account(account_id)
        if account.status != "open":
            raise ValueError(f"The credit limit of a {account.status} account cannot be changed")
        top = PRODUCT_MAX_LIMIT[account.product]
        if new_limit % 100 or not PRODUCT_MIN_LIMIT <= new_limit <= top:
            raise ValueError(f"The limit must be a multiple of 100 between {PRODUCT_MIN_LIMIT} and {top} "
                             f"for a {account.product} account")
        if new_limit == account.credit_limit:
            raise ValueError("The new limit equals the current limit")
        if new_limit < account.current_balance:
            raise ValueError("The new limit cannot be below the current balance")
        account.credit_limit_changes.append(CreditLimitChange(
            changed_on=self.clock.today(), old_limit=account.credit_limit, new_limit=new_limit))
        account.credit_limit = new_limit
        return account

    @tool(ToolType.WRITE)
    def file_dispute(self, transaction_id: str, reason: DisputeReason, amount: float) -> Dispute:
        """File a dispute for a posted transaction.

        Args:
            transaction_id: The transaction id, such as 'txn_0a1b2c3d'.
            reason: 'unauthorized', 'duplicate', 'not_received' or 'incorrect_amount'.
            amount: The disputed amount in dollars: the full amount, or for 'incorrect_amount' the
                overcharged part.
        """
        txn = self.get_transaction_details(transaction_id)
        if txn.status != "posted":
            raise ValueError("Only posted transactions can be disputed; this one is still pending")
        if txn.dispute_id is not None:
            raise ValueError(f"This transaction already has a dispute ({txn.dispute_id})")
        amount = round(amount, 2)
        if not 0 < amount <= txn.amount:
            raise ValueError(f"The disputed amount must be more than 0 and at most {txn.amount}")
        dispute_id = self._new_id("disputes", "dsp_", transaction_id)
        dispute = Dispute(dispute_id=dispute_id, transaction_id=transaction_id, card_id=txn.card_id,
                          reason=reason, amount=amount, status="open", filed_on=self.clock.today())
        self.db.disputes[dispute.dispute_id] = dispute
        txn.dispute_id = dispute.dispute_id
        return dispute

    @tool(ToolType.WRITE)
    def add_travel_notice(self, account_id: str, countries: list[str], start_date: str, end_date: str) -> TravelNotice:
        """Record a travel notice so that the account's cards are not declined abroad (at most 90 days).

        Args:
            account_id: The account id, such as 'acc_4d5e6f'.
            countries: The countries to be visited, such as ['Japan', 'South Korea'].
            start_date: The first day of the trip, in the format 'YYYY-MM-DD'.
            end_date: The last day of the trip, in the format 'YYYY-MM-DD'.
        """
        account = self._account(account_id)
        start, end = _iso(start_date, "start date"), _iso(end_date, "end date")
        today = date.fromisoformat(self.clock.today())
        names = [c.strip() for c in countries if c.strip()]
        if not names:
            raise ValueError("At least one country is required")
        if start < today:
            raise ValueError("The trip cannot start in the past")
        if end < start or end - start > timedelta(days=MAX_TRAVEL_DAYS - 1):
            raise ValueError(f"The trip must end on or after its start and last at most {MAX_TRAVEL_DAYS} days")
        notice_id = self._new_id("travel_notices", "trv_", account_id, start.isoformat(), end.isoformat(), *names)
        notice = TravelNotice(notice_id=notice_id, account_id=account_id, countries=names,
                              start_date=start.isoformat(), end_date=end.isoformat(), created_on=today.isoformat())
        self.db.travel_notices[notice.notice_id] = notice
        account.travel_notice_ids.append(notice.notice_id)
        return notice

    @tool(ToolType.WRITE)
    def waive_fee(self, fee_id: str) -> Fee:
        """Waive a fee: it is credited back to the account balance.

        Args:
            fee_id: The fee id, such as 'fee_1f2e3d'.
        """
        if fee_id not in self.db.fees:
            raise ValueError("Fee not found")
        fee = self.db.fees[fee_id]
        if fee.waived:
            raise ValueError("This fee has already been waived")
        fee.waived, fee.waived_on = True, self.clock.today()
        account = self.db.accounts[fee.account_id]
        account.current_balance = round(account.current_balance - fee.amount, 2)
        return fee

    @tool(ToolType.WRITE)
    def update_contact_info(self, customer_id: str, email: str | None = None, phone: str | None = None) -> Customer:
        """Update a customer's email address and/or phone number. Give only what changes.

        Args:
            customer_id: The customer id, such as 'cus_1a2b3c'.
            email: The new email address.
            phone: The new phone number, such as '312-555-0147'.
        """
        customer = self._customer(customer_id)
        if email is None and phone is None:
            raise ValueError("Nothing to update: give an email address or a phone number")
        if email is not None and not _EMAIL.match(email.strip()):
            raise ValueError(f"Invalid email address '{email}'")
        new_phone = normalize_phone(phone) if phone is not None else None
        new_email = email.strip().lower() if email is not None else None
        for other in self.db.customers.values():
            if other.customer_id != customer_id and (other.email == new_email or other.phone == new_phone):
                raise ValueError("This email address or phone number belongs to another customer")
        if new_email is not None:
            customer.email = new_email
        if new_phone is not None:
            customer.phone = new_phone
        return customer

    @tool(ToolType.WRITE)
    def update_address(self, customer_id: str, line1: str, city: str, state: str, zip_code: str) -> Customer:
        """Replace a customer's postal address (where cards are shipped).

        Args:
            customer_id: The customer id, such as 'cus_1a2b3c'.
            line1: The street address, such as '120 Orchard Ln'.
            city: The city, such as 'Austin'.
            state: The two-letter state code, such as 'TX'.
            zip_code: The five-digit zip code, such as '78701'.
        """
        customer = self._customer(customer_id)
        if not re.fullmatch(r"\d{5}", zip_code.strip()):
            raise ValueError(f"Invalid zip code '{zip_code}': expected 5 digits")
        if not re.fullmatch(r"[A-Za-z]{2}", state.strip()):
            raise ValueError(f"Invalid state '{state}': expected a two-letter code such as 'TX'")
        if not line1.strip() or not city.strip():
            raise ValueError("The street address and the city are required")
        customer.address = Address(line1=line1.strip(), city=city.strip(), state=state.strip().upper(),
                                   zip=zip_code.strip())
        return customer

    # -- generic tools -------------------------------------------------------------------------
    @tool(ToolType.GENERIC)
    def calculate(self, expression: str) -> str:
        """Calculate the result of a mathematical expression.

        Args:
            expression: The expression, such as '2 + 2' or '1200 * 1.5'. Numbers, + - * /, parentheses.
        """
        return calculate_expression(expression)

    @tool(ToolType.GENERIC)
    def transfer_to_human_agents(self, summary: str) -> str:
        """Transfer the customer to a human agent, with a summary of the customer's issue. Only when the
        request cannot be handled within the scope of your actions, as the policy says.

        Args:
            summary: A summary of the customer's issue.
        """
        return "Transfer successful"
