"""The card_services domain: registration, the canonical DB, the frozen test set, train tasks.

`python -m envs.tau2_lite.domains.card_services --check | --freeze` compares the generator with
test_tasks.json or rewrites it (see __main__.py).
"""
from __future__ import annotations

import json
import random
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from envs.tau2_lite.db import DBSource
from envs.tau2_lite.domain import Domain, get_domain, register_domain
from envs.tau2_lite.domains.card_services.datagen import DB_SEED, N_CUSTOMERS, TODAY, generate_db
from envs.tau2_lite.domains.card_services.db import CardServicesDB
from envs.tau2_lite.domains.card_services.tasks import (
    DECOYS, GENERATOR_VERSION, INTENTS, generate_task,
)
from envs.tau2_lite.domains.card_services.tools import CardServicesTools
from envs.tau2_lite.replay import replay_gold
from envs.tau2_lite.tasks import Task

HERE = Path(__file__).parent
TEST_SET_FILE = HERE / "test_tasks.json"
TEST_SET_VERSION = 1
DEFAULT_TRAIN_TASKS = 200       # listed by the domain; generate_train_tasks() makes any number
DEFAULT_TRAIN_SEED = 0


def schedule_of_test_set() -> list[tuple[str, list[str]]]:
    """The test set's make-up: every intent alone, pairs, decoys, calls for a relative."""
    names = sorted(INTENTS)
    plan = [("single", [n]) for n in names]
    plan += [("double", ["*", "*"]) for _ in range(10)]
    plan += [("decoy", ["*", d]) for d in sorted(DECOYS) for _ in range(2)]
    plan += [("third_party", [k]) for k in ("freeze_misplaced", "limit_decrease", "update_contact")]
    return plan


@lru_cache(maxsize=1)
def canonical_db() -> CardServicesDB:
    return generate_db(DB_SEED, N_CUSTOMERS)


@register_domain
class CardServicesDomain(Domain):
    name = "card_services"
    description = "A retail bank's card services desk (original domain, generated DB and tasks)."
    db_class = CardServicesDB
    toolkit_class = CardServicesTools
    now = datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0)

    def policy(self) -> str:
        return (HERE / "policy.md").read_text(encoding="utf-8")

    def db_source(self) -> DBSource:
        return DBSource.from_model(canonical_db())

    def load_tasks(self) -> list[Task]:
        test = load_test_set()
        train = generate_train_tasks(DEFAULT_TRAIN_TASKS, DEFAULT_TRAIN_SEED)
        return [Task.model_validate(t) for t in test + train]

    def splits(self) -> dict[str, list[str]]:
        # Asked once per task by the listing: built once.
        if not hasattr(self, "_splits"):
            self._splits = {"test": [t["id"] for t in _test_file()["tasks"]],
                            "train": [t["id"] for t in generate_train_tasks(DEFAULT_TRAIN_TASKS, DEFAULT_TRAIN_SEED)]}
        return {k: list(v) for k, v in self._splits.items()}


def gold_is_valid(task: dict[str, Any]) -> bool:
    """Every gold call succeeds on a fresh DB, and tasks with writes do change it."""
    domain = get_domain("card_services")
    replay = replay_gold(domain, Task.model_validate(task))
    if replay.failed:
        return False
    writes = any(domain.toolkit_class.mutates_state(a["name"]) for a in task["evaluation_criteria"]["actions"])
    return not writes or bool(replay.runtime.db.changes())


def build_test_set() -> dict[str, Any]:
    db = canonical_db()
    tasks = [generate_task(f"cs_test_{n:03d}", db, "test", n, shape=shape, kinds=kinds, validate=gold_is_valid)
             for n, (shape, kinds) in enumerate(schedule_of_test_set())]
    return {"domain": "card_services", "version": TEST_SET_VERSION, "generator_version": GENERATOR_VERSION,
            "db_seed": DB_SEED, "db_hash": DBSource.from_model(db).fresh().hash(), "tasks": tasks}


@lru_cache(maxsize=1)
def _test_file() -> dict[str, Any]:
    try:
        data = json.loads(TEST_SET_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{TEST_SET_FILE} is missing; rebuild it with "
                                "python -m envs.tau2_lite.domains.card_services.domain --freeze") from None
    return data


def load_test_set() -> list[dict[str, Any]]:
    """The frozen test tasks (copies)."""
    return json.loads(json.dumps(_test_file()["tasks"]))


def header_of_test_set() -> dict[str, Any]:
    return {k: v for k, v in _test_file().items() if k != "tasks"}


@lru_cache(maxsize=8)
def _train(n: int, seed: int) -> str:
    db = canonical_db()
    rng = random.Random(f"card_services:train:{seed}")
    tasks = [generate_task(f"cs_train_{seed}_{i:05d}", db, "train", rng.getrandbits(48), validate=gold_is_valid)
             for i in range(n)]
    return json.dumps(tasks)


def generate_train_tasks(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """`n` train tasks (τ²-bench task dicts) from `seed`; the first k of n are the k of k."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return json.loads(_train(n, seed))
