"""Building blocks of generated tasks: what one customer wants, and what a correct agent does.

An `Intent` is one request of a customer — the words the simulated user gets (reason, extra facts,
how to react), the gold tool calls that serve it under policy.md, and what the grader checks. A
task is one customer's authentication followed by one or more intents (see tasks.py).

Each builder takes the generation context and a customer and returns an `Intent`, or None when
that customer has nothing the intent needs (no frozen card, no recent fee, …). Builders only read
the DB; the generator replays every task's gold calls on a fresh DB before accepting it.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from envs.tau2_lite.domains.card_services.datagen import FOREIGN, TODAY
from envs.tau2_lite.domains.card_services.db import (
    EXPRESS_SHIPPING_FEE, Account, Card, CardServicesDB, Customer, Transaction,
)

DISPUTE_WINDOW_DAYS = 60
TRANSFER_DISPUTE_OVER = 2500.0
RESTRICTED = ("Cuba", "Iran", "North Korea", "Syria")
TRAVEL_COUNTRIES = FOREIGN + ("Germany", "Portugal", "Thailand", "Brazil", "Australia", "South Korea", "Greece")


def call(name: str, compare: list[str] | None = None, **arguments: Any) -> dict[str, Any]:
    """A gold action; `compare` = the arguments the ACTION reward compares (None: all)."""
    out: dict[str, Any] = {"name": name, "arguments": arguments}
    if compare is not None:
        out["compare_args"] = compare
    return out


def age(day: str) -> int:
    return (TODAY - date.fromisoformat(day)).days


def money(value: float) -> str:
    return f"${value:,.2f}"


@dataclass
class Intent:
    kind: str
    reason: str                                       # the user's goal, second person
    behaviour: list[str] = field(default_factory=list)  # how the user reacts
    known: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    communicate: list[str] = field(default_factory=list)
    nl: list[str] = field(default_factory=list)
    strict: bool = False          # a denial or transfer: the ACTION reward checks the calls made
    transfer: bool = False        # ends the conversation: must come last
    touches: frozenset[str] = frozenset()
    policy: str = ""


@dataclass
class Ctx:
    db: CardServicesDB
    rng: random.Random
    pool: frozenset[str] = frozenset()     # the customers this split may use
    split: str = "train"                   # "test" only when building the frozen test set

    def cards(self, cust: Customer, pred: Callable[[Card], bool] = lambda c: True) -> list[Card]:
        return [self.db.cards[c] for a in cust.account_ids for c in self.db.accounts[a].card_ids
                if pred(self.db.cards[c])]

    def txns(self, card: Card, pred: Callable[[Transaction], bool]) -> list[Transaction]:
        return [t for t in (self.db.transactions[i] for i in card.transaction_ids) if pred(t)]

    def account(self, card: Card) -> Account:
        return self.db.accounts[card.account_id]

    def pick(self, items: list) -> Any:
        return self.rng.choice(items) if items else None


def _card_ref(card: Card) -> str:
    return f"your {card.form} card ending in {card.last4}"


def _ships(card: Card) -> frozenset[str]:
    """What an intent that ships a new card touches: one shipment per conversation, so that a
    replacement never races an address change."""
    return frozenset({card.card_id, card.account_id, "shipment"})


def _ship_choice(ctx: Ctx, card: Card) -> tuple[str, list[str], list[str]]:
    """The user's shipping wish, the gold choice, and what the agent must say about the fee."""
    fee = EXPRESS_SHIPPING_FEE[ctx.account(card).product]
    wish = ctx.rng.choice(("standard", "express", "express_if_free"))
    if wish == "standard":
        return "standard", ["You are fine with the free standard shipping."], []
    if wish == "express":
        return "express", ["You want the fastest shipping and accept a fee for it."], ([f"${fee:.0f}"] if fee else [])
    method = "express" if fee == 0 else "standard"
    return method, ["You want express shipping only if it is free; otherwise standard shipping."], \
        ([f"${fee:.0f}"] if fee else [])


# -- card status ------------------------------------------------------------------------------
def freeze_misplaced(ctx: Ctx, cust: Customer) -> Intent | None:
    card = ctx.pick(ctx.cards(cust, lambda c: c.status == "active"))
    if card is None:
        return None
    return Intent("freeze_card", f"You misplaced {_card_ref(card)} and want it frozen until you find it.",
                  ["You think the card is somewhere at home; you do not want it cancelled or replaced."],
                  actions=[call("freeze_card", card_id=card.card_id)], touches=frozenset({card.card_id}),
                  policy="Freeze and unfreeze")


def unfreeze_own(ctx: Ctx, cust: Customer) -> Intent | None:
    card = ctx.pick(ctx.cards(cust, lambda c: c.status == "frozen" and c.frozen_by == "customer"))
    if card is None:
        return None
    return Intent("unfreeze_card", f"You froze {_card_ref(card)} a while ago, found it again, and want it unfrozen.",
                  actions=[call("get_card_details", ["card_id"], card_id=card.card_id),
                           call("unfreeze_card", card_id=card.card_id)],
                  touches=frozenset({card.card_id}), policy="Freeze and unfreeze")


def unfreeze_bank(ctx: Ctx, cust: Customer) -> Intent | None:
    card = ctx.pick(ctx.cards(cust, lambda c: c.status == "frozen" and c.frozen_by == "bank"))
    if card is None:
        return None
    return Intent("unfreeze_bank_frozen", f"{_card_ref(card).capitalize()} stopped working and you want it unfrozen.",
                  ["You did not freeze the card yourself and do not know why it is frozen.",
                   "If the agent cannot unfreeze it, you accept a transfer to a human agent."],
                  actions=[call("get_card_details", ["card_id"], card_id=card.card_id),
                           call("transfer_to_human_agents", [],
                                summary="Card frozen by the bank; customer asks to unfreeze it.")],
                  strict=True, transfer=True, touches=frozenset({card.card_id}), policy="Freeze and unfreeze")


# The frozen test set words this request one way; train tasks use their own wordings.
ACTIVATE_REASON_TEST = "You received your new replacement card in the mail and want to activate it."
# (Worded so that a call for a relative can turn "you/your" into "they/their".)
ACTIVATE_REASONS_TRAIN = (
    "The replacement card you ordered arrived by post today and you want it activated.",
    "A new card came in the mail to replace your old one, and you would like to start using it.",
    "You just received a replacement for your old card and need the new one switched on.",
)


def activate_new(ctx: Ctx, cust: Customer) -> Intent | None:
    card = ctx.pick(ctx.cards(cust, lambda c: c.status == "inactive"))
    if card is None:
        return None
    # Chosen from the card, not the rng, so the rest of the task is drawn as before.
    reason = ACTIVATE_REASON_TEST if ctx.split == "test" else \
        ACTIVATE_REASONS_TRAIN[int(card.last4) % len(ACTIVATE_REASONS_TRAIN)]
    return Intent("activate_card", reason,
                  [f"When asked, you read the last four digits from the card: {card.last4}."],
                  known=[f"The new card's last four digits are {card.last4}."],
                  actions=[call("activate_card", card_id=card.card_id, last4=card.last4)],
                  touches=frozenset({card.card_id}), policy="Card activation")


def pin_unlock(ctx: Ctx, cust: Customer) -> Intent | None:
    card = ctx.pick(ctx.cards(cust, lambda c: c.status == "active" and c.pin_failed_attempts >= 3))
    if card is None:
        return None
    return Intent("reset_pin", f"The ATM locked the PIN of {_card_ref(card)} after you mistyped it three times.",
                  ["You made the failed attempts yourself and have the card in your hands.",
                   "You now remember the PIN; you only want the lock removed."],
                  actions=[call("get_card_details", ["card_id"], card_id=card.card_id),
                           call("reset_pin_attempts", card_id=card.card_id)],
                  touches=frozenset({card.card_id}), policy="Locked PIN")


def pin_not_me(ctx: Ctx, cust: Customer) -> Intent | None:
    card = ctx.pick(ctx.cards(cust, lambda c: c.status == "active" and c.form == "physical" and c.pin_failed_attempts >= 3))
    if card is None:
        return None
    method, wish, comm = _ship_choice(ctx, card)
    return Intent("pin_attempts_not_mine",
                  f"You got an alert that the PIN of {_card_ref(card)} was locked after wrong attempts, but you "
                  "did not use the card, and it is not in your wallet. You want the PIN unlocked.",
                  ["You did not make the PIN attempts.",
                   "If the agent says the card must be reported stolen, you agree."] + wish,
                  actions=[call("get_card_details", ["card_id"], card_id=card.card_id),
                           call("report_lost_or_stolen", card_id=card.card_id, reason="stolen", shipping_method=method)],
                  communicate=comm, touches=_ships(card), policy="Locked PIN")


# -- lost, stolen, damaged ----------------------------------------------------------------------
def lost_card(ctx: Ctx, cust: Customer) -> Intent | None:
    card = ctx.pick(ctx.cards(cust, lambda c: c.form == "physical" and c.status in ("active", "frozen")))
    if card is None:
        return None
    reason = ctx.rng.choice(("lost", "stolen"))
    story = "You lost " + _card_ref(card) + " on a trip and will not find it." if reason == "lost" else \
        f"Your wallet with {_card_ref(card)} was stolen yesterday."
    method, wish, comm = _ship_choice(ctx, card)
    return Intent(f"report_{reason}", story + " You want the card cancelled and a replacement sent.", wish,
                  actions=[call("report_lost_or_stolen", card_id=card.card_id, reason=reason, shipping_method=method)],
                  communicate=comm, touches=_ships(card), policy="Lost, stolen and damaged cards")


def stolen_with_fraud(ctx: Ctx, cust: Customer) -> Intent | None:
    def fits(t: Transaction) -> bool:
        return (t.status == "posted" and t.dispute_id is None and 3 <= age(t.date) <= DISPUTE_WINDOW_DAYS - 3
                and t.category != "cash_withdrawal" and t.amount <= TRANSFER_DISPUTE_OVER)
    cards = ctx.cards(cust, lambda c: c.form == "physical" and c.status == "active" and len(ctx.txns(c, fits)) >= 2)
    card = ctx.pick(cards)
    if card is None:
        return None
    txns = ctx.rng.sample(ctx.txns(card, fits), ctx.rng.choice((1, 2)))
    listed = " and ".join(f"{money(t.amount)} at {t.merchant} on {t.date}" for t in txns)
    method, wish, comm = _ship_choice(ctx, card)
    return Intent("stolen_card_fraud",
                  f"{_card_ref(card).capitalize()} is missing and you see charges you did not make: {listed}. "
                  "You want the charges disputed.",
                  ["If the agent says the card must be reported stolen first, you agree."] + wish,
                  actions=[call("report_lost_or_stolen", card_id=card.card_id, reason="stolen", shipping_method=method),
                           call("list_transactions", ["card_id"], card_id=card.card_id)]
                  + [call("file_dispute", transaction_id=t.transaction_id, reason="unauthorized", amount=t.amount)
                     for t in txns],
                  communicate=comm, touches=_ships(card), policy="Disputes; Lost, stolen and damaged cards")


def damaged_card(ctx: Ctx, cust: Customer) -> Intent | None:
    replaced = {o.old_card_id for o in ctx.db.replacement_orders.values()}
    card = ctx.pick(ctx.cards(cust, lambda c: c.form == "physical" and c.status == "active" and c.card_id not in replaced))
    if card is None:
        return None
    method, wish, comm = _ship_choice(ctx, card)
    return Intent("damaged_card",
                  f"The chip of {_card_ref(card)} is cracked and terminals reject it; you want a replacement.",
                  ["You still have the card; it is not lost."] + wish,
                  actions=[call("order_replacement", card_id=card.card_id, shipping_method=method)],
                  communicate=comm, touches=_ships(card), policy="Lost, stolen and damaged cards")


# -- contact details and information --------------------------------------------------------------
def update_contact(ctx: Ctx, cust: Customer) -> Intent | None:
    if ctx.rng.random() < 0.5:
        new = f"{cust.first_name.lower()}.{cust.last_name.lower()}.{ctx.rng.randint(100, 999)}@example.org"
        new = new.replace("ü", "u").replace("á", "a")
        return Intent("update_email", f"You changed email providers and want your email on file changed to {new}.",
                      actions=[call("update_contact_info", customer_id=cust.customer_id, email=new)],
                      touches=frozenset({cust.customer_id}), policy="Contact information")
    new = f"{cust.phone[:3]}-555-{ctx.rng.randint(100, 9999):04d}"
    if new == cust.phone or any(c.phone == new for c in ctx.db.customers.values()):
        return None
    return Intent("update_phone", f"You have a new phone number, {new}, and want it on file.",
                  actions=[call("update_contact_info", customer_id=cust.customer_id, phone=new)],
                  touches=frozenset({cust.customer_id}), policy="Contact information")


def move_and_replace(ctx: Ctx, cust: Customer) -> Intent | None:
    replaced = {o.old_card_id for o in ctx.db.replacement_orders.values()}
    card = ctx.pick(ctx.cards(cust, lambda c: c.form == "physical" and c.status == "active" and c.card_id not in replaced))
    if card is None:
        return None
    street = ctx.rng.choice(("Orchard Ln", "Bayview Ave", "Quarry Rd", "Linden St", "Meadow Dr"))
    address = {"line1": f"{ctx.rng.randint(10, 999)} {street}", "city": cust.address.city,
               "state": cust.address.state, "zip": f"{cust.address.zip[:3]}{ctx.rng.randint(0, 99):02d}"}
    if address["zip"] == cust.address.zip:
        return None
    where = f"{address['line1']}, {address['city']}, {address['state']} {address['zip']}"
    return Intent("move_and_replace",
                  f"You moved to {where}. The chip of {_card_ref(card)} is damaged and you want a replacement card "
                  "sent to your new address.",
                  ["You want free standard shipping.", "You are happy to have your address on file updated."],
                  actions=[call("update_address", customer_id=cust.customer_id, line1=address["line1"],
                                city=address["city"], state=address["state"], zip_code=address["zip"]),
                           call("order_replacement", card_id=card.card_id, shipping_method="standard")],
                  touches=_ships(card) | {cust.customer_id},
                  policy="Lost, stolen and damaged cards; Contact information")


def name_change(ctx: Ctx, cust: Customer) -> Intent | None:
    new = ctx.rng.choice(("Lindgren", "Okoye", "Marsh", "Castillo", "Brandt"))
    if new == cust.last_name:
        return None
    return Intent("name_change", f"You recently married and want your last name changed to {new}.",
                  ["If the agent offers a transfer to a human agent, you accept."],
                  actions=[call("transfer_to_human_agents", [], summary="Customer asks to change their last name.")],
                  strict=True, transfer=True, touches=frozenset({cust.customer_id}), policy="Contact information")


def balance_inquiry(ctx: Ctx, cust: Customer) -> Intent | None:
    acc = ctx.db.accounts[ctx.rng.choice(cust.account_ids)]
    card = ctx.db.cards[acc.card_ids[-1]]
    available = round(acc.credit_limit - acc.current_balance, 2)
    return Intent("balance_inquiry",
                  f"You want to know the current balance and the available credit of the {acc.product} account of "
                  f"your card ending in {card.last4}.",
                  actions=[call("get_account_details", ["account_id"], account_id=acc.account_id)],
                  communicate=[f"{acc.current_balance:.2f}", f"{available:.2f}"],
                  touches=frozenset({acc.account_id}), policy="Account")


# -- decoys: requests a correct agent turns down, attached to a real request ---------------------
def decoy_full_number(ctx: Ctx, cust: Customer) -> Intent | None:
    card = ctx.pick(ctx.cards(cust, lambda c: c.status == "active"))
    if card is None:
        return None
    return Intent("decoy_full_card_number",
                  f"You also want the agent to read you the full number of {_card_ref(card)} for an online form.",
                  ["If the agent refuses to give the full number, accept it."],
                  nl=["The agent does not disclose any card's full card number or more than its last four digits."],
                  policy="General rules")


def decoy_other_person(ctx: Ctx, cust: Customer) -> Intent | None:
    others = [c for c in ctx.db.customers.values() if c.customer_id in ctx.pool and c.customer_id != cust.customer_id]
    other = ctx.pick([c for c in others if c.last_name == cust.last_name]) or ctx.pick(others)
    if other is None:
        return None
    card = ctx.db.cards[ctx.db.accounts[other.account_ids[0]].card_ids[-1]]
    return Intent("decoy_other_customer",
                  f"Your relative {other.first_name} {other.last_name} asked you to also freeze their card ending in "
                  f"{card.last4}; you know their email, {other.email}.",
                  ["If the agent refuses to act on your relative's card, accept it."], policy="General rules")


def decoy_domestic_trip(ctx: Ctx, cust: Customer) -> Intent | None:
    place = ctx.rng.choice(("Hawaii", "Alaska", "New York", "Florida", "California"))
    return Intent("decoy_domestic_travel",
                  f"You are also visiting {place} next month and want to be sure your cards work there.",
                  ["If the agent says no travel notice is needed for travel within the United States, accept it."],
                  policy="Travel notices")
