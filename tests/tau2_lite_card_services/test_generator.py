"""The seeded DB and task generator: determinism, the frozen test set, train/test disjointness."""
from __future__ import annotations

import collections
import json

import pytest

from envs.tau2_lite.db import DBSource
from envs.tau2_lite.domains.card_services import (
    build_test_set, canonical_db, generate_task, generate_train_tasks, in_test_pool, load_test_set,
)
from envs.tau2_lite.domains.card_services.datagen import DB_SEED, generate_db
from envs.tau2_lite.domains.card_services.domain import TEST_SET_FILE, header_of_test_set
from envs.tau2_lite.domains.card_services.tasks import gold_is_valid
from envs.tau2_lite.domains.card_services.tasks import INTENTS
from envs.tau2_lite.tasks import Task


def _customers_of(task: dict, db) -> set[str]:
    """Customers a task is about: the one it authenticates, or the one named in its scenario."""
    found = set()
    for a in task["evaluation_criteria"]["actions"]:
        if a["name"] == "verify_customer_identity":
            found.add(a["arguments"]["customer_id"])
    text = json.dumps(task["user_scenario"])
    found |= {c.customer_id for c in db.customers.values() if c.email in text}
    return found


def test_db_is_a_pure_function_of_the_seed():
    a, b = generate_db(DB_SEED, 20), generate_db(DB_SEED, 20)
    assert a.model_dump() == b.model_dump()
    assert generate_db(DB_SEED + 1, 20).model_dump() != a.model_dump()


def test_generated_db_is_consistent():
    db = canonical_db()
    assert len({c.email for c in db.customers.values()}) == len(db.customers)
    assert len({c.phone for c in db.customers.values()}) == len(db.customers)
    for card in db.cards.values():
        digits = [int(d) for d in card.card_number]
        checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
        assert checksum % 10 == 0 and card.last4 == card.card_number[-4:]
        assert all(db.transactions[t].card_id == card.card_id for t in card.transaction_ids)
        assert card.card_id in db.accounts[card.account_id].card_ids
    assert sum(len(c.transaction_ids) for c in db.cards.values()) == len(db.transactions)
    for customer in db.customers.values():
        assert customer.customer_since >= customer.date_of_birth.replace(customer.date_of_birth[:4],
                                                                         str(int(customer.date_of_birth[:4]) + 18), 1)
        assert all(db.accounts[a].opened_on >= customer.customer_since for a in customer.account_ids)
    for dispute in db.disputes.values():
        assert db.transactions[dispute.transaction_id].dispute_id == dispute.dispute_id
    statuses = collections.Counter((c.status, c.frozen_by) for c in db.cards.values())
    # Every decision the policy describes has material in the DB.
    for needed in [("active", None), ("frozen", "customer"), ("frozen", "bank"), ("inactive", None), ("lost", None)]:
        assert statuses[needed] > 0, needed


def test_frozen_test_set_is_reproduced_and_pins_the_db():
    header = header_of_test_set()
    assert header["db_hash"] == DBSource.from_model(canonical_db()).fresh().hash()
    on_disk = json.loads(TEST_SET_FILE.read_text(encoding="utf-8"))
    assert build_test_set() == on_disk, (
        "the generator no longer reproduces test_tasks.json: if the change is intended, bump TEST_SET_VERSION "
        "and run python -m envs.tau2_lite.domains.card_services --freeze")


def test_test_set_size_and_coverage():
    tasks = load_test_set()
    assert len(tasks) >= 40 and len({t["id"] for t in tasks}) == len(tasks)
    for t in tasks:
        Task.model_validate(t)
    purposes = " ".join(t["description"]["purpose"] for t in tasks)
    for shape in ("single:", "double:", "decoy:", "third_party:"):
        assert shape in purposes
    for kind in ("transfer", "denied", "decoy_full_card_number", "decoy_other_customer", "decoy_domestic_travel"):
        assert kind in purposes or any(kind in json.dumps(t) for t in tasks), kind
    transfers = [t for t in tasks if any(a["name"] == "transfer_to_human_agents"
                                         for a in t["evaluation_criteria"]["actions"])]
    assert len(transfers) >= 4


def test_generate_task_is_deterministic_per_seed():
    db = canonical_db()
    a = generate_task("x", db, "train", 12345, validate=gold_is_valid)
    assert a == generate_task("x", db, "train", 12345, validate=gold_is_valid)
    others = [generate_task("x", db, "train", s) for s in range(12346, 12352)]
    assert any(o != a for o in others)


def test_train_generator_is_deterministic_prefix_stable_and_varied():
    first = generate_train_tasks(60, seed=3)
    assert first == generate_train_tasks(60, seed=3)
    assert generate_train_tasks(20, seed=3) == first[:20]
    assert generate_train_tasks(60, seed=4) != first
    kinds = collections.Counter(t["description"]["purpose"].split(": ")[1].split("+")[0] for t in first)
    assert len(kinds) >= 15
    assert len({json.dumps(t["evaluation_criteria"]["actions"]) for t in first}) >= 55


def test_train_and_test_are_disjoint():
    db = canonical_db()
    test = load_test_set()
    train = generate_train_tasks(200, seed=0) + generate_train_tasks(60, seed=11)
    test_customers = set().union(*(_customers_of(t, db) for t in test))
    train_customers = set().union(*(_customers_of(t, db) for t in train))
    assert test_customers and train_customers
    assert all(in_test_pool(c) for c in test_customers)
    assert not test_customers & train_customers
    assert not {t["id"] for t in test} & {t["id"] for t in train}


def test_every_intent_can_be_generated_for_training():
    db = canonical_db()
    for kind in sorted(INTENTS):
        task = generate_task(f"k_{kind}", db, "train", 1, shape="single", kinds=[kind], validate=gold_is_valid)
        assert task["evaluation_criteria"]["actions"]


def test_impossible_requests_fail_with_a_clear_error():
    with pytest.raises(ValueError, match="no train task could be generated"):
        generate_task("x", canonical_db(), "train", 0, shape="single", kinds=["freeze_misplaced"],
                      validate=lambda task: False, attempts=2)
    with pytest.raises(ValueError, match="n must be"):
        generate_train_tasks(-1)
