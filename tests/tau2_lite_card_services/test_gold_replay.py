"""Every frozen test task's gold actions replay without errors and change the DB as intended."""
from __future__ import annotations

from datetime import date

from envs.tau2_lite.domains.card_services.db import EXPRESS_SHIPPING_FEE
from envs.tau2_lite.replay import replay_gold
from envs.tau2_lite.tasks import Task

TODAY = "2026-03-16"


def _check_effect(before, after, name: str, args: dict) -> None:
    """What each write must have done, read off the DB before and after the replay."""
    if name == "freeze_card":
        card = after.cards[args["card_id"]]
        assert (card.status, card.frozen_by) == ("frozen", "customer")
    elif name == "unfreeze_card":
        assert before.cards[args["card_id"]].frozen_by == "customer"       # never a bank freeze
        assert (after.cards[args["card_id"]].status, after.cards[args["card_id"]].frozen_by) == ("active", None)
    elif name == "activate_card":
        assert before.cards[args["card_id"]].status == "inactive"
        assert after.cards[args["card_id"]].status == "active"
    elif name == "reset_pin_attempts":
        assert before.cards[args["card_id"]].pin_failed_attempts >= 3
        assert after.cards[args["card_id"]].pin_failed_attempts == 0
    elif name in ("report_lost_or_stolen", "order_replacement"):
        old = after.cards[args["card_id"]]
        orders = [after.replacement_orders[k] for k in after.replacement_orders
                  if after.replacement_orders[k].old_card_id == old.card_id and k not in before.replacement_orders]
        assert len(orders) == 1
        order, new = orders[0], after.cards[orders[0].new_card_id]
        account = after.accounts[old.account_id]
        fee = EXPRESS_SHIPPING_FEE[account.product] if args["shipping_method"] == "express" else 0.0
        assert order.shipping_fee == fee and order.ordered_on == TODAY
        assert new.status == "inactive" and new.card_id in account.card_ids
        assert order.ship_to == after.customers[account.customer_id].address
        if name == "report_lost_or_stolen":
            assert old.status == args["reason"] and new.card_number != old.card_number
        else:
            assert old.status == "active" and new.card_number == old.card_number
        fees = [after.fees[f] for f in account.fee_ids if f not in before.fees]
        assert [f.amount for f in fees] == ([fee] if fee else [])
    elif name == "change_credit_limit":
        acc_before, acc = before.accounts[args["account_id"]], after.accounts[args["account_id"]]
        assert acc.credit_limit == args["new_limit"]
        change = acc.credit_limit_changes[-1]
        assert (change.old_limit, change.new_limit, change.changed_on) == (acc_before.credit_limit, args["new_limit"], TODAY)
        if args["new_limit"] > acc_before.credit_limit:       # the policy's increase rules hold
            assert acc_before.status == "open" and args["new_limit"] <= int(acc_before.credit_limit * 1.5)
            assert all(p.status == "on_time" for p in acc_before.payment_history)
            assert (date.fromisoformat(TODAY) - date.fromisoformat(acc_before.opened_on)).days >= 180
    elif name == "file_dispute":
        txn = after.transactions[args["transaction_id"]]
        dispute = after.disputes[txn.dispute_id]
        assert before.transactions[txn.transaction_id].dispute_id is None
        assert (dispute.amount, dispute.reason, dispute.status) == (args["amount"], args["reason"], "open")
        age = (date.fromisoformat(TODAY) - date.fromisoformat(txn.date)).days
        assert age <= 60 and txn.category != "cash_withdrawal" and dispute.amount <= 2500
    elif name == "add_travel_notice":
        notice = [after.travel_notices[n] for n in after.accounts[args["account_id"]].travel_notice_ids
                  if n not in before.travel_notices]
        assert len(notice) == 1 and notice[0].countries == args["countries"]
        assert not {"Cuba", "Iran", "North Korea", "Syria"} & set(notice[0].countries)
    elif name == "waive_fee":
        fee_before, fee = before.fees[args["fee_id"]], after.fees[args["fee_id"]]
        assert fee.waived and fee.waived_on == TODAY and fee_before.kind in ("late_payment", "foreign_transaction")
        acc_b, acc_a = before.accounts[fee.account_id], after.accounts[fee.account_id]
        assert round(acc_b.current_balance - acc_a.current_balance, 2) == fee.amount
    elif name == "update_contact_info":
        customer = after.customers[args["customer_id"]]
        for key in ("email", "phone"):
            if args.get(key):
                assert getattr(customer, key) == args[key]
    elif name == "update_address":
        address = after.customers[args["customer_id"]].address
        assert (address.line1, address.city, address.state, address.zip) == (
            args["line1"], args["city"], args["state"], args["zip_code"])
    else:
        raise AssertionError(f"no expected effect written for {name}")


def test_every_gold_action_succeeds_and_writes_change_the_db_as_intended(domain, test_tasks):
    writes_seen = set()
    for raw in test_tasks:
        task = Task.model_validate(raw)
        replay = replay_gold(domain, task)
        assert not replay.failed, (task.id, replay.failed)
        before, after = domain.source.fresh(), replay.runtime.db
        writes = [a for a in task.gold_actions if domain.toolkit_class.mutates_state(a.name)]
        for action in writes:
            _check_effect(before, after, action.name, action.arguments)
            writes_seen.add(action.name)
        changed_tables = {c["path"][0] for c in after.changes()}
        assert bool(changed_tables) == bool(writes), task.id
    # The test set exercises every write tool.
    assert writes_seen == {n for n, s in domain.toolkit_class.specs().items() if s.mutates_state}


def test_replays_do_not_depend_on_the_episode_seed(domain, test_tasks):
    for raw in test_tasks[:20]:
        task = Task.model_validate(raw)
        assert replay_gold(domain, task, seed=0).runtime.db.same_state(replay_gold(domain, task, seed=99).runtime.db)
