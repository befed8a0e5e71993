"""The card-services database: customers, credit-card accounts, cards, transactions and the
records the agent's write tools create (disputes, travel notices, replacement orders, fee waivers).

Every table is a dict keyed by the record id, as in τ²-bench's retail `db.json`, so a dumped DB
diffs record by record. Money is in US dollars with two decimals; dates are ISO strings
(`YYYY-MM-DD`), all in the bank's time zone.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from envs.tau2_lite.db import DB

Product = Literal["classic", "gold", "platinum"]
CardStatus = Literal["active", "frozen", "inactive", "lost", "stolen", "closed"]
Category = Literal[
    "groceries", "restaurants", "travel", "fuel", "electronics", "clothing", "subscriptions",
    "utilities", "entertainment", "health", "gambling", "cash_withdrawal",
]
FeeKind = Literal["late_payment", "foreign_transaction", "annual_fee", "express_shipping", "cash_advance"]
DisputeReason = Literal["unauthorized", "duplicate", "not_received", "incorrect_amount"]
ShippingMethod = Literal["standard", "express"]

# Product rules the bank's systems enforce (the policy adds the rules the agent must apply).
PRODUCT_MAX_LIMIT: dict[str, int] = {"classic": 5000, "gold": 15000, "platinum": 40000}
PRODUCT_MIN_LIMIT = 500
EXPRESS_SHIPPING_FEE: dict[str, float] = {"classic": 25.0, "gold": 25.0, "platinum": 0.0}


class Address(BaseModel):
    line1: str
    city: str
    state: str
    zip: str


class Customer(BaseModel):
    customer_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: str
    address: Address
    customer_since: str
    account_ids: list[str] = Field(default_factory=list)


class PaymentRecord(BaseModel):
    statement_month: str                      # "YYYY-MM"
    amount_due: float
    status: Literal["on_time", "late", "missed"]


class CreditLimitChange(BaseModel):
    changed_on: str
    old_limit: int
    new_limit: int


class Account(BaseModel):
    account_id: str
    customer_id: str
    product: Product
    status: Literal["open", "delinquent"]
    opened_on: str
    credit_limit: int
    current_balance: float
    payment_history: list[PaymentRecord] = Field(default_factory=list)   # oldest first
    credit_limit_changes: list[CreditLimitChange] = Field(default_factory=list)
    card_ids: list[str] = Field(default_factory=list)
    fee_ids: list[str] = Field(default_factory=list)
    travel_notice_ids: list[str] = Field(default_factory=list)


class Card(BaseModel):
    card_id: str
    account_id: str
    cardholder_name: str
    card_number: str                          # full PAN: internal only, never to be disclosed
    last4: str
    form: Literal["physical", "virtual"]
    status: CardStatus
    frozen_by: Literal["customer", "bank"] | None = None
    expiry: str                               # "MM/YY"
    issued_on: str
    pin_failed_attempts: int = 0              # the card's PIN locks at 3
    atm_daily_limit: int
    transaction_ids: list[str] = Field(default_factory=list)   # oldest first


class Transaction(BaseModel):
    transaction_id: str
    card_id: str
    date: str
    amount: float
    merchant: str
    category: Category
    country: str
    status: Literal["pending", "posted"]
    dispute_id: str | None = None


class Dispute(BaseModel):
    dispute_id: str
    transaction_id: str
    card_id: str
    reason: DisputeReason
    amount: float
    status: Literal["open", "resolved"]
    filed_on: str


class TravelNotice(BaseModel):
    notice_id: str
    account_id: str
    countries: list[str]
    start_date: str
    end_date: str
    created_on: str


class ReplacementOrder(BaseModel):
    order_id: str
    old_card_id: str
    new_card_id: str
    reason: Literal["lost", "stolen", "damaged"]
    shipping_method: ShippingMethod
    shipping_fee: float
    ship_to: Address
    ordered_on: str


class Fee(BaseModel):
    fee_id: str
    account_id: str
    kind: FeeKind
    amount: float
    posted_on: str
    description: str
    waived: bool = False
    waived_on: str | None = None


class CardServicesDB(DB):
    customers: dict[str, Customer] = Field(default_factory=dict)
    accounts: dict[str, Account] = Field(default_factory=dict)
    cards: dict[str, Card] = Field(default_factory=dict)
    transactions: dict[str, Transaction] = Field(default_factory=dict)
    disputes: dict[str, Dispute] = Field(default_factory=dict)
    travel_notices: dict[str, TravelNotice] = Field(default_factory=dict)
    replacement_orders: dict[str, ReplacementOrder] = Field(default_factory=dict)
    fees: dict[str, Fee] = Field(default_factory=dict)
