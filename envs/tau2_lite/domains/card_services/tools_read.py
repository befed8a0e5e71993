"""The card-services lookup tools (reads) and the record helpers the write tools share."""
from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

from envs.tau2_lite.domains.card_services.db import Account, Card, CardServicesDB, Customer, Fee, Transaction
from envs.tau2_lite.toolkit import Toolkit, ToolType, tool

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


class CardSummary(BaseModel):
    card_id: str
    account_id: str
    last4: str
    form: str
    status: str


def _iso(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {what} '{value}': use the format YYYY-MM-DD") from None


def normalize_phone(phone: str) -> str:
    """'(312) 555-0199', '+1 312 555 0199' -> '312-555-0199'."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise ValueError(f"Invalid phone number '{phone}': expected 10 digits")
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


class CardLookupTools(Toolkit):
    db: CardServicesDB

    # -- lookups shared by the tools ---------------------------------------------------------
    def _customer(self, customer_id: str) -> Customer:
        if customer_id not in self.db.customers:
            raise ValueError("Customer not found")
        return self.db.customers[customer_id]

    def _account(self, account_id: str) -> Account:
        if account_id not in self.db.accounts:
            raise ValueError("Account not found")
        return self.db.accounts[account_id]

    def _card(self, card_id: str) -> Card:
        if card_id not in self.db.cards:
            raise ValueError("Card not found")
        return self.db.cards[card_id]

    # -- read tools ----------------------------------------------------------------------------
    @tool(ToolType.READ)
    def find_customer_by_email(self, email: str) -> str:
        """Find a customer's id by their email address.

        Args:
            email: The email address, such as 'ava.kim12@example.com'.
        """
        wanted = email.strip().lower()
        for customer in self.db.customers.values():
            if customer.email == wanted:
                return customer.customer_id
        raise ValueError("Customer not found")

    @tool(ToolType.READ)
    def find_customer_by_phone(self, phone: str) -> str:
        """Find a customer's id by their phone number.

        Args:
            phone: The phone number, such as '312-555-0147'.
        """
        wanted = normalize_phone(phone)
        for customer in self.db.customers.values():
            if customer.phone == wanted:
                return customer.customer_id
        raise ValueError("Customer not found")

    @tool(ToolType.READ)
    def verify_customer_identity(self, customer_id: str, date_of_birth: str, zip_code: str) -> str:
        """Verify a customer's identity with their date of birth and the zip code of their address.

        Args:
            customer_id: The customer id, such as 'cus_1a2b3c'.
            date_of_birth: The date of birth the customer gives, in the format 'YYYY-MM-DD'.
            zip_code: The zip code the customer gives, such as '60614'.
        """
        customer = self._customer(customer_id)
        born = _iso(date_of_birth.strip(), "date of birth").isoformat()
        if customer.date_of_birth != born or customer.address.zip != zip_code.strip():
            raise ValueError("Identity verification failed: the details do not match our records")
        return f"Identity verified for customer {customer_id}"

    @tool(ToolType.READ)
    def get_customer_details(self, customer_id: str) -> Customer:
        """Get a customer's profile: name, contact details, address and account ids.

        Args:
            customer_id: The customer id, such as 'cus_1a2b3c'.
        """
        return self._customer(customer_id)

    @tool(ToolType.READ)
    def get_account_details(self, account_id: str) -> Account:
        """Get a credit-card account: product, status, credit limit, balance, payment history,
        credit-limit changes, and the ids of its cards, fees and travel notices.

        Args:
            account_id: The account id, such as 'acc_4d5e6f'.
        """
        return self._account(account_id)

    @tool(ToolType.READ)
    def list_cards(self, customer_id: str) -> list[CardSummary]:
        """List all cards of all accounts of a customer, with their status.

        Args:
            customer_id: The customer id, such as 'cus_1a2b3c'.
        """
        customer = self._customer(customer_id)
        return [CardSummary(card_id=c.card_id, account_id=c.account_id, last4=c.last4, form=c.form, status=c.status)
                for a in customer.account_ids for c in (self.db.cards[i] for i in self.db.accounts[a].card_ids)]

    @tool(ToolType.READ)
    def get_card_details(self, card_id: str) -> Card:
        """Get the details of a card, including its full number (internal use only).

        Args:
            card_id: The card id, such as 'card_7a8b9c'.
        """
        return self._card(card_id)

    @tool(ToolType.READ)
    def list_transactions(self, card_id: str, start_date: str | None = None,
                          end_date: str | None = None) -> list[Transaction]:
        """List a card's transactions, newest first, optionally between two dates (inclusive).

        Args:
            card_id: The card id, such as 'card_7a8b9c'.
            start_date: The earliest date, in the format 'YYYY-MM-DD'. Optional.
            end_date: The latest date, in the format 'YYYY-MM-DD'. Optional.
        """
        card = self._card(card_id)
        lo = _iso(start_date, "start date").isoformat() if start_date else "0000-00-00"
        hi = _iso(end_date, "end date").isoformat() if end_date else "9999-99-99"
        found = [t for t in (self.db.transactions[i] for i in card.transaction_ids) if lo <= t.date <= hi]
        return sorted(found, key=lambda t: (t.date, t.transaction_id), reverse=True)

    @tool(ToolType.READ)
    def get_transaction_details(self, transaction_id: str) -> Transaction:
        """Get one transaction.

        Args:
            transaction_id: The transaction id, such as 'txn_0a1b2c3d'.
        """
        if transaction_id not in self.db.transactions:
            raise ValueError("Transaction not found")
        return self.db.transactions[transaction_id]

    @tool(ToolType.READ)
    def list_fees(self, account_id: str) -> list[Fee]:
        """List the fees charged to an account, including waived ones and when they were waived.

        Args:
            account_id: The account id, such as 'acc_4d5e6f'.
        """
        return [self.db.fees[f] for f in self._account(account_id).fee_ids]
