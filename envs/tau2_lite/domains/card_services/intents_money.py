"""Intent builders about money: disputes, credit limits, fees and travel notices (see intents.py)."""
from __future__ import annotations

from datetime import timedelta

from envs.tau2_lite.domains.card_services.datagen import TODAY
from envs.tau2_lite.domains.card_services.db import PRODUCT_MAX_LIMIT, Account, Customer, Transaction
from envs.tau2_lite.domains.card_services.intents import (
    DISPUTE_WINDOW_DAYS, RESTRICTED, TRANSFER_DISPUTE_OVER, TRAVEL_COUNTRIES, Ctx, Intent, _card_ref, age,
    call, money,
)

FEE_LABEL = {"late_payment": "late payment", "foreign_transaction": "foreign transaction", "annual_fee": "annual",
             "express_shipping": "express shipping", "cash_advance": "cash advance"}
_DISPUTABLE = ("restaurants", "travel", "electronics", "clothing", "entertainment", "subscriptions", "health")


def _txn_intent(ctx: Ctx, cust: Customer, pred) -> tuple | None:
    pairs = [(c, t) for c in ctx.cards(cust) for t in ctx.txns(c, pred)]
    return ctx.pick(pairs)


def _in_window(t: Transaction) -> bool:
    return t.status == "posted" and t.dispute_id is None and 2 <= age(t.date) <= DISPUTE_WINDOW_DAYS


# -- disputes -----------------------------------------------------------------------------------
def dispute_not_received(ctx: Ctx, cust: Customer) -> Intent | None:
    hit = _txn_intent(ctx, cust, lambda t: _in_window(t) and t.category in ("electronics", "clothing")
                      and t.amount <= TRANSFER_DISPUTE_OVER)
    if hit is None:
        return None
    card, t = hit
    return Intent("dispute_not_received",
                  f"You paid {money(t.amount)} to {t.merchant} on {t.date} with {_card_ref(card)}, "
                  "but the order never arrived.",
                  ["You want to dispute the charge. You already contacted the merchant without success."],
                  actions=[call("list_transactions", ["card_id"], card_id=card.card_id),
                           call("file_dispute", transaction_id=t.transaction_id, reason="not_received", amount=t.amount)],
                  touches=frozenset({card.card_id}), policy="Disputes")


def dispute_incorrect_amount(ctx: Ctx, cust: Customer) -> Intent | None:
    hit = _txn_intent(ctx, cust, lambda t: _in_window(t) and t.category in ("restaurants", "entertainment", "health")
                      and 30 <= t.amount <= TRANSFER_DISPUTE_OVER)
    if hit is None:
        return None
    card, t = hit
    agreed = round(t.amount * ctx.rng.choice((0.5, 0.6, 0.75, 0.8)), 2)
    diff = round(t.amount - agreed, 2)
    return Intent("dispute_incorrect_amount",
                  f"{t.merchant} charged {money(t.amount)} to {_card_ref(card)} on {t.date}, but the agreed price was "
                  f"{money(agreed)}. You want the overcharge disputed.",
                  actions=[call("list_transactions", ["card_id"], card_id=card.card_id),
                           call("file_dispute", transaction_id=t.transaction_id, reason="incorrect_amount", amount=diff)],
                  communicate=[f"{diff:.2f}"], touches=frozenset({card.card_id}), policy="Disputes")


def dispute_duplicate(ctx: Ctx, cust: Customer) -> Intent | None:
    pairs = []
    for card in ctx.cards(cust):
        txns = ctx.txns(card, lambda t: True)
        for a in txns:
            for b in txns:
                if (a.merchant, a.amount) == (b.merchant, b.amount) and age(a.date) == age(b.date) + 1 \
                        and _in_window(b) and b.amount <= TRANSFER_DISPUTE_OVER and b.category != "cash_withdrawal":
                    pairs.append((card, a, b))
    hit = ctx.pick(pairs)
    if hit is None:
        return None
    card, first, second = hit
    return Intent("dispute_duplicate",
                  f"You were charged twice by {first.merchant} for one purchase of {money(first.amount)}, on "
                  f"{first.date} and {second.date}, on {_card_ref(card)}. You want the extra charge disputed.",
                  actions=[call("list_transactions", ["card_id"], card_id=card.card_id),
                           call("file_dispute", transaction_id=second.transaction_id, reason="duplicate",
                                amount=second.amount)],
                  touches=frozenset({card.card_id}), policy="Disputes")


def dispute_too_old(ctx: Ctx, cust: Customer) -> Intent | None:
    return _dispute_denied(ctx, cust, "too_old")


def dispute_pending(ctx: Ctx, cust: Customer) -> Intent | None:
    return _dispute_denied(ctx, cust, "pending")


def dispute_cash(ctx: Ctx, cust: Customer) -> Intent | None:
    return _dispute_denied(ctx, cust, "cash")


def dispute_large(ctx: Ctx, cust: Customer) -> Intent | None:
    return _dispute_denied(ctx, cust, "large")


def _dispute_denied(ctx: Ctx, cust: Customer, kind: str) -> Intent | None:
    """Too old or pending (denied), a cash withdrawal or above $2,500 (transferred)."""
    preds = {
        "too_old": lambda t: t.status == "posted" and t.dispute_id is None and DISPUTE_WINDOW_DAYS < age(t.date) <= 150
        and t.category in _DISPUTABLE,
        "pending": lambda t: t.status == "pending" and t.category in _DISPUTABLE,
        "cash": lambda t: _in_window(t) and t.category == "cash_withdrawal",
        "large": lambda t: _in_window(t) and t.amount > TRANSFER_DISPUTE_OVER,
    }
    hit = _txn_intent(ctx, cust, preds[kind])
    if hit is None:
        return None
    card, t = hit
    # None of these is an unauthorized charge: the customer made it, so the card is not compromised.
    story = {
        "too_old": f"You paid {money(t.amount)} to {t.merchant} on {t.date} with {_card_ref(card)}, but were never "
                   "given what you paid for.",
        "pending": f"You paid {money(t.amount)} to {t.merchant} on {t.date} with {_card_ref(card)}, but the merchant "
                   "cancelled your order and you want your money back.",
        "cash": f"On {t.date} an ATM charged {money(t.amount)} to {_card_ref(card)} but did not give you the cash.",
        "large": f"You paid {money(t.amount)} to {t.merchant} on {t.date} with {_card_ref(card)}, but the order "
                 "never arrived.",
    }[kind]
    # A pending status is only visible in the data; the other cases follow from what the customer says.
    actions = [call("list_transactions", ["card_id"], card_id=card.card_id)] if kind == "pending" else []
    transfer = kind in ("cash", "large")
    if transfer:
        actions.append(call("transfer_to_human_agents", [], summary=f"Customer disputes transaction {t.transaction_id}."))
    behaviour = ["If the agent says the dispute cannot be filed, accept it."]
    if transfer:
        behaviour = ["If the agent offers a transfer to a human agent, you accept."]
    behaviour.append("You made the transaction yourself and still have your card.")
    return Intent(f"dispute_{kind}", story + " You want to dispute it.",
                  behaviour, actions=actions, strict=True, transfer=transfer,
                  touches=frozenset({card.card_id}), policy="Disputes")


# -- credit limits ------------------------------------------------------------------------------
def _increase_cap(acc: Account) -> int:
    return min(int(acc.credit_limit * 1.5) // 100 * 100, PRODUCT_MAX_LIMIT[acc.product])


def _ineligible_reason(acc: Account) -> str | None:
    if acc.status != "open":
        return "delinquent"
    if age(acc.opened_on) < 180:
        return "too_new"
    if any(p.status != "on_time" for p in acc.payment_history):
        return "payment_history"
    if any(c.new_limit > c.old_limit and age(c.changed_on) < 180 for c in acc.credit_limit_changes):
        return "recent_increase"
    if _increase_cap(acc) <= acc.credit_limit:
        return "at_maximum"
    return None


def _accounts(ctx: Ctx, cust: Customer) -> list[Account]:
    return [ctx.db.accounts[a] for a in cust.account_ids]


def _acc_ref(ctx: Ctx, acc: Account) -> str:
    card = ctx.db.cards[acc.card_ids[-1]]
    return f"your {acc.product} card account (the card ending in {card.last4})"


def limit_increase(ctx: Ctx, cust: Customer) -> Intent | None:
    acc = ctx.pick([a for a in _accounts(ctx, cust) if _ineligible_reason(a) is None])
    if acc is None:
        return None
    cap = _increase_cap(acc)
    capped = ctx.rng.random() < 0.5
    if capped:
        asked = cap + ctx.rng.choice((500, 1000, 2000))
        return Intent("credit_limit_increase_capped",
                      f"You want the credit limit of {_acc_ref(ctx, acc)} raised to ${asked:,}.",
                      ["If the agent cannot give that much, you take the largest limit the agent can give."],
                      actions=[call("get_account_details", ["account_id"], account_id=acc.account_id),
                               call("change_credit_limit", account_id=acc.account_id, new_limit=cap)],
                      communicate=[str(cap)], touches=frozenset({acc.account_id}), policy="Credit limit")
    steps = (cap - acc.credit_limit) // 100
    asked = acc.credit_limit + 100 * ctx.rng.randint(max(1, steps // 3), steps)
    return Intent("credit_limit_increase", f"You want the credit limit of {_acc_ref(ctx, acc)} raised to ${asked:,}.",
                  actions=[call("get_account_details", ["account_id"], account_id=acc.account_id),
                           call("change_credit_limit", account_id=acc.account_id, new_limit=asked)],
                  touches=frozenset({acc.account_id}), policy="Credit limit")


def limit_increase_denied(ctx: Ctx, cust: Customer) -> Intent | None:
    acc = ctx.pick([a for a in _accounts(ctx, cust) if _ineligible_reason(a) is not None])
    if acc is None:
        return None
    asked = min(acc.credit_limit + 1000, PRODUCT_MAX_LIMIT[acc.product] + 1000)
    return Intent(f"credit_limit_denied_{_ineligible_reason(acc)}",
                  f"You want the credit limit of {_acc_ref(ctx, acc)} raised to ${asked:,}.",
                  ["If the agent says the account is not eligible, accept it and do not ask for a smaller increase."],
                  actions=[call("get_account_details", ["account_id"], account_id=acc.account_id)],
                  strict=True, touches=frozenset({acc.account_id}), policy="Credit limit")


def limit_decrease(ctx: Ctx, cust: Customer) -> Intent | None:
    def floor_of(a: Account) -> int:
        return max(500, -int(-a.current_balance // 100) * 100)
    acc = ctx.pick([a for a in _accounts(ctx, cust) if a.status == "open" and floor_of(a) < a.credit_limit - 100])
    if acc is None:
        return None
    new = ctx.rng.randrange(floor_of(acc), acc.credit_limit, 100)
    return Intent("credit_limit_decrease",
                  f"To control your spending you want the credit limit of {_acc_ref(ctx, acc)} lowered to ${new:,}.",
                  actions=[call("get_account_details", ["account_id"], account_id=acc.account_id),
                           call("change_credit_limit", account_id=acc.account_id, new_limit=new)],
                  touches=frozenset({acc.account_id}), policy="Credit limit")


# -- fees ---------------------------------------------------------------------------------------
def _waivable(ctx: Ctx, acc: Account) -> list:
    fees = [ctx.db.fees[f] for f in acc.fee_ids]
    if any(f.waived_on and age(f.waived_on) <= 365 for f in fees):
        return []
    return [f for f in fees if not f.waived and f.kind in ("late_payment", "foreign_transaction") and age(f.posted_on) <= 90]


def waive_fee(ctx: Ctx, cust: Customer) -> Intent | None:
    acc = ctx.pick([a for a in _accounts(ctx, cust) if _waivable(ctx, a)])
    if acc is None:
        return None
    fees = sorted(_waivable(ctx, acc), key=lambda f: (-f.amount, f.fee_id))
    target = fees[0]
    label = FEE_LABEL[target.kind]
    behaviour: list[str] = []
    reason = (f"You want the {label} fee of {money(target.amount)} posted on {target.posted_on} "
              f"to {_acc_ref(ctx, acc)} waived.")
    if len(fees) > 1:
        reason = f"You want all the recent late payment and foreign transaction fees on {_acc_ref(ctx, acc)} waived."
        behaviour = [(f"If only one fee can be waived, you choose the largest one: the {label} fee of "
                      f"{money(target.amount)} posted on {target.posted_on}.")]
    return Intent("waive_fee", reason, behaviour,
                  actions=[call("list_fees", ["account_id"], account_id=acc.account_id),
                           call("waive_fee", fee_id=target.fee_id)],
                  touches=frozenset({acc.account_id}), policy="Fees")


def waive_fee_denied(ctx: Ctx, cust: Customer) -> Intent | None:
    options = []
    for acc in _accounts(ctx, cust):
        fees = [ctx.db.fees[f] for f in acc.fee_ids]
        recent_waiver = any(f.waived_on and age(f.waived_on) <= 365 for f in fees)
        for f in fees:
            if f.waived:
                continue
            if f.kind == "annual_fee":
                options.append((acc, f, "annual"))
            elif f.kind in ("late_payment", "foreign_transaction") and 100 <= age(f.posted_on) <= 300:
                options.append((acc, f, "too_old"))
            elif recent_waiver and age(f.posted_on) <= 90:
                options.append((acc, f, "recent_waiver"))
    hit = ctx.pick(options)
    if hit is None:
        return None
    acc, fee, why = hit
    # Only a past waiver is invisible to the customer: then the fee list is what decides. The
    # other denials follow from what the customer says (the fee's kind and date).
    lookup = [call("list_fees", ["account_id"], account_id=acc.account_id)] if why == "recent_waiver" else []
    return Intent(f"waive_fee_denied_{why}",
                  f"You want the {FEE_LABEL[fee.kind]} fee of {money(fee.amount)} posted on {fee.posted_on} "
                  f"to {_acc_ref(ctx, acc)} waived.",
                  ["If the agent says the fee cannot be waived, accept it."],
                  actions=lookup, strict=True, touches=frozenset({acc.account_id}), policy="Fees")


# -- travel -------------------------------------------------------------------------------------
def travel_notice(ctx: Ctx, cust: Customer) -> Intent | None:
    acc = ctx.pick(_accounts(ctx, cust))
    start = TODAY + timedelta(days=ctx.rng.randint(3, 60))
    end = start + timedelta(days=ctx.rng.randint(4, 30))
    countries = ctx.rng.sample(TRAVEL_COUNTRIES, ctx.rng.choice((1, 2, 2, 3)))
    restricted = ctx.rng.random() < 0.35
    trip = countries + [ctx.rng.choice(RESTRICTED)] if restricted else countries
    if restricted:
        ctx.rng.shuffle(trip)
    named = ", ".join(trip)
    behaviour = [f"The trip is from {start.isoformat()} to {end.isoformat()}, visiting, in this order: {named}."]
    if restricted:
        behaviour.append("If the agent says the notice cannot include a country, you ask for a notice for the others only.")
    kept = [c for c in trip if c not in RESTRICTED]
    return Intent("travel_notice_restricted" if restricted else "travel_notice",
                  f"You are travelling abroad and want {_acc_ref(ctx, acc)} to work there.", behaviour,
                  actions=[call("add_travel_notice", account_id=acc.account_id, countries=kept,
                                start_date=start.isoformat(), end_date=end.isoformat())],
                  touches=frozenset({acc.account_id}), policy="Travel notices")
