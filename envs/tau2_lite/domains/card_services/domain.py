"""The card_services domain: registration, and the frozen test set it serves with its train tasks.

`python -m envs.tau2_lite.domains.card_services --check | --freeze` compares the generator with
test_tasks.json or rewrites it (see __main__.py).
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from envs.tau2_lite.db import DBSource
from envs.tau2_lite.domain import Domain, register_domain
from envs.tau2_lite.domains.card_services.datagen import TODAY, canonical_db
from envs.tau2_lite.domains.card_services.db import CardServicesDB
from envs.tau2_lite.domains.card_services.tasks import generate_train_tasks
from envs.tau2_lite.domains.card_services.tools import CardServicesTools
from envs.tau2_lite.tasks import Task

HERE = Path(__file__).parent
TEST_SET_FILE = HERE / "test_tasks.json"
DEFAULT_TRAIN_TASKS = 200       # listed by the domain; generate_train_tasks() makes any number
DEFAULT_TRAIN_SEED = 0


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


@lru_cache(maxsize=1)
def _test_file() -> dict[str, Any]:
    try:
        data = json.loads(TEST_SET_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{TEST_SET_FILE} is missing; rebuild it with "
                                "python -m envs.tau2_lite.domains.card_services --freeze") from None
    return data


def load_test_set() -> list[dict[str, Any]]:
    """The frozen test tasks (copies)."""
    return json.loads(json.dumps(_test_file()["tasks"]))


def header_of_test_set() -> dict[str, Any]:
    return {k: v for k, v in _test_file().items() if k != "tasks"}
