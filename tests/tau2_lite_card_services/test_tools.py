"""The card-services tools on the real generated DB: what the bank's systems enforce."""
from __future__ import annotations

from datetime import date

import pytest

from envs.tau2_lite.domains.card_services import canonical_db

from .conftest import call

DB = canonical_db()
TODAY = date(2026, 3, 16)


def _first(records, pred):
    return next(r for r in records.values() if pred(r))


def _age(day: str) -> int:
    return (TODAY - date.fromisoformat(day)).days


def test_authentication_lookups(runtime):
    cust = next(iter(DB.customers.values()))
    assert call(runtime, "find_customer_by_email", email=cust.email.upper()) == (cust.customer_id, False)
    area, mid, last = cust.phone.split("-")
    assert call(runtime, "find_customer_by_phone", phone=f"+1 ({area}) {mid} {last}") == (cust.customer_id, False)
    assert call(runtime, "find_customer_by_phone", phone="12") == (
        "Error: Invalid phone number '12': expected 10 digits", True)
    ok, err = call(runtime, "verify_customer_identity", customer_id=cust.customer_id,
                   date_of_birth=cust.date_of_birth, zip_code=cust.address.zip)
    assert not err and "verified" in ok
    out, err = call(runtime, "verify_customer_identity", customer_id=cust.customer_id,
                    date_of_birth="1900-01-01", zip_code=cust.address.zip)
    assert err and "do not match" in out
    out, err = call(runtime, "verify_customer_identity", customer_id=cust.customer_id,
                    date_of_birth=cust.date_of_birth.replace("-", ""), zip_code=f" {cust.address.zip} ")
    assert not err, out
    out, err = call(runtime, "verify_customer_identity", customer_id=cust.customer_id,
                    date_of_birth="01/02/1980", zip_code=cust.address.zip)
    assert err and "YYYY-MM-DD" in out


def test_card_listing_hides_the_full_number_that_details_show(runtime):
    card = _first(DB.cards, lambda c: c.status == "active")
    customer = DB.accounts[card.account_id].customer_id
    listed, _ = call(runtime, "list_cards", customer_id=customer)
    assert card.card_number not in str(listed) and card.last4 in str(listed)
    details, _ = call(runtime, "get_card_details", card_id=card.card_id)
    assert details["card_number"] == card.card_number      # internal view: the policy forbids disclosing it


def test_dispute_rules_the_tool_enforces(runtime):
    pending = _first(DB.transactions, lambda t: t.status == "pending")
    out, err = call(runtime, "file_dispute", transaction_id=pending.transaction_id, reason="not_received", amount=1.0)
    assert err and "pending" in out
    txn = _first(DB.transactions, lambda t: t.status == "posted" and t.dispute_id is None and _age(t.date) <= 60)
    out, err = call(runtime, "file_dispute", transaction_id=txn.transaction_id, reason="incorrect_amount",
                    amount=txn.amount + 0.01)
    assert err and "at most" in out
    assert not runtime.db.changes()                          # failed writes change nothing
    dispute, err = call(runtime, "file_dispute", transaction_id=txn.transaction_id, reason="duplicate", amount=txn.amount)
    assert not err and dispute["amount"] == txn.amount
    out, err = call(runtime, "file_dispute", transaction_id=txn.transaction_id, reason="duplicate", amount=txn.amount)
    assert err and "already has a dispute" in out


def test_dispute_window_is_a_policy_decision_not_a_tool_error(runtime):
    old = _first(DB.transactions, lambda t: t.status == "posted" and t.dispute_id is None and _age(t.date) > 60)
    # The tool files it: only an agent that reads the policy refuses (see test_episodes).
    _, err = call(runtime, "file_dispute", transaction_id=old.transaction_id, reason="not_received", amount=old.amount)
    assert not err


def test_record_ids_do_not_depend_on_call_order(domain):
    from envs.tau2_lite.runtime import Runtime
    txns = [t for t in DB.transactions.values() if t.status == "posted" and t.dispute_id is None][:2]
    a, b = Runtime(domain, seed=1), Runtime(domain, seed=2)
    for rt, order in ((a, txns), (b, txns[::-1])):
        for t in order:
            assert not call(rt, "file_dispute", transaction_id=t.transaction_id, reason="duplicate", amount=t.amount)[1]
    assert a.db.same_state(b.db) and a.db.hash() == b.db.hash()


@pytest.mark.parametrize("product, fee", [("classic", 25.0), ("platinum", 0.0)])
def test_lost_card_replacement_and_express_fee(runtime, product, fee):
    card = _first(DB.cards, lambda c: c.form == "physical" and c.status == "active"
                  and DB.accounts[c.account_id].product == product)
    balance = DB.accounts[card.account_id].current_balance
    order, err = call(runtime, "report_lost_or_stolen", card_id=card.card_id, reason="stolen", shipping_method="express")
    assert not err and order["shipping_fee"] == fee
    db = runtime.db
    assert db.cards[card.card_id].status == "stolen"
    new = db.cards[order["new_card_id"]]
    assert new.status == "inactive" and new.card_number != card.card_number and new.last4 == new.card_number[-4:]
    assert db.accounts[card.account_id].current_balance == round(balance + fee, 2)
    out, err = call(runtime, "freeze_card", card_id=card.card_id)
    assert err and "stolen" in out
    out, err = call(runtime, "activate_card", card_id=new.card_id, last4="0000" if new.last4 != "0000" else "1111")
    assert err and "do not match" in out
    assert not call(runtime, "activate_card", card_id=new.card_id, last4=new.last4)[1]


def test_damaged_card_replacement_keeps_the_number_and_closes_the_old_card_on_activation(runtime):
    card = _first(DB.cards, lambda c: c.form == "physical" and c.status == "active"
                  and c.card_id not in {o.old_card_id for o in DB.replacement_orders.values()})
    order, err = call(runtime, "order_replacement", card_id=card.card_id, shipping_method="standard")
    assert not err and order["shipping_fee"] == 0.0
    out, err = call(runtime, "order_replacement", card_id=card.card_id, shipping_method="standard")
    assert err and "already on its way" in out
    new = runtime.db.cards[order["new_card_id"]]
    assert new.card_number == card.card_number and runtime.db.cards[card.card_id].status == "active"
    call(runtime, "activate_card", card_id=new.card_id, last4=new.last4)
    assert runtime.db.cards[card.card_id].status == "closed"


def test_virtual_cards_cannot_be_reported_lost(runtime):
    card = _first(DB.cards, lambda c: c.form == "virtual" and c.status == "active")
    out, err = call(runtime, "report_lost_or_stolen", card_id=card.card_id, reason="lost", shipping_method="standard")
    assert err and "freeze it instead" in out


def test_credit_limit_rules_the_tool_enforces(runtime):
    acc = _first(DB.accounts, lambda a: a.status == "open" and a.current_balance > 600)
    top = {"classic": 5000, "gold": 15000, "platinum": 40000}[acc.product]
    assert "between 500 and" in call(runtime, "change_credit_limit", account_id=acc.account_id, new_limit=top + 100)[0]
    assert "multiple of 100" in call(runtime, "change_credit_limit", account_id=acc.account_id,
                                     new_limit=acc.credit_limit + 50)[0]
    below = max(500, int(acc.current_balance) // 100 * 100)
    if below < acc.current_balance:
        out, err = call(runtime, "change_credit_limit", account_id=acc.account_id, new_limit=below)
        assert err and "below the current balance" in out
    delinquent = _first(DB.accounts, lambda a: a.status == "delinquent")
    out, err = call(runtime, "change_credit_limit", account_id=delinquent.account_id, new_limit=1000)
    assert err and "delinquent" in out
    assert not runtime.db.changes()


def test_fee_waiver_and_travel_notice_rules(runtime):
    fee = _first(DB.fees, lambda f: not f.waived)
    balance = DB.accounts[fee.account_id].current_balance
    waived, err = call(runtime, "waive_fee", fee_id=fee.fee_id)
    assert not err and waived["waived_on"] == "2026-03-16"
    assert runtime.db.accounts[fee.account_id].current_balance == round(balance - fee.amount, 2)
    assert "already been waived" in call(runtime, "waive_fee", fee_id=fee.fee_id)[0]
    acc = fee.account_id
    assert "past" in call(runtime, "add_travel_notice", account_id=acc, countries=["Japan"],
                          start_date="2026-03-01", end_date="2026-03-20")[0]
    assert "at most 90 days" in call(runtime, "add_travel_notice", account_id=acc, countries=["Japan"],
                                     start_date="2026-04-01", end_date="2026-07-01")[0]
    notice, err = call(runtime, "add_travel_notice", account_id=acc, countries=[" Japan ", "Spain"],
                       start_date="2026-04-01", end_date="2026-06-29")
    assert not err and notice["countries"] == ["Japan", "Spain"]


def test_contact_updates_are_validated_and_normalised(runtime):
    cust = next(iter(DB.customers.values()))
    assert "Invalid email" in call(runtime, "update_contact_info", customer_id=cust.customer_id, email="nope")[0]
    assert "Nothing to update" in call(runtime, "update_contact_info", customer_id=cust.customer_id)[0]
    assert "zip" in call(runtime, "update_address", customer_id=cust.customer_id, line1="1 A St", city="Austin",
                         state="TX", zip_code="7870")[0]
    assert "two-letter" in call(runtime, "update_address", customer_id=cust.customer_id, line1="1 A St",
                                city="Austin", state="Texas", zip_code="78701")[0]
    assert not runtime.db.changes()
    out, err = call(runtime, "update_contact_info", customer_id=cust.customer_id, phone="(512) 555 0100",
                    email="New.Mail@Example.com")
    assert not err and (out["phone"], out["email"]) == ("512-555-0100", "new.mail@example.com")
    other = list(DB.customers.values())[1]
    out, err = call(runtime, "update_contact_info", customer_id=cust.customer_id, phone=other.phone)
    assert err and "another customer" in out
    out, err = call(runtime, "update_address", customer_id=cust.customer_id, line1=" 1 A St ", city="Austin",
                    state="tx", zip_code="78701")
    assert not err and out["address"] == {"line1": "1 A St", "city": "Austin", "state": "TX", "zip": "78701"}


def test_calculate_and_bad_arguments(runtime):
    assert call(runtime, "calculate", expression="(5000 * 1.5) - 1200.25") == (6299.75, False)
    out, err = call(runtime, "calculate", expression="__import__('os')")
    assert err and "Invalid characters" in out
    out, err = call(runtime, "freeze_card", card="x")
    assert err and "unexpected argument" in out


def test_policy_states_the_rules_the_generator_and_tools_apply(domain):
    from envs.tau2_lite.domains.card_services.datagen import TODAY as DB_TODAY
    from envs.tau2_lite.domains.card_services.db import EXPRESS_SHIPPING_FEE, PRODUCT_MAX_LIMIT
    from envs.tau2_lite.domains.card_services.intents import DISPUTE_WINDOW_DAYS, RESTRICTED, TRANSFER_DISPUTE_OVER
    from envs.tau2_lite.domains.card_services.tools import MAX_TRAVEL_DAYS

    policy = domain.policy()
    assert f"Today is {DB_TODAY.isoformat()}" in policy and domain.now.date() == DB_TODAY
    assert f"within **{DISPUTE_WINDOW_DAYS} days**" in policy and f"${TRANSFER_DISPUTE_OVER:,.0f}" in policy
    assert all(country in policy for country in RESTRICTED)
    assert all(f"{product} ${limit:,}" in policy for product, limit in PRODUCT_MAX_LIMIT.items())
    assert f"costs ${EXPRESS_SHIPPING_FEE['classic']:.0f}" in policy and f"at most {MAX_TRAVEL_DAYS} days" in policy
    # Every tool the policy names exists.
    import re
    named = set(re.findall(r"`([a-z_]+)`", policy)) - {"frozen_by", "pin_failed_attempts", "cash_withdrawal"}
    assert named <= set(domain.toolkit_class.specs()), named - set(domain.toolkit_class.specs())
