"""card_services: an original tau2-lite domain — a retail bank's card services desk.

A seeded, generated DB (datagen.py, models in db.py), 24 agent tools (tools.py), a policy with
real decisions (policy.md), and a task generator (tasks.py, intents*.py) with a frozen held-out
test set (test_tasks.json) and unlimited train tasks (`generate_train_tasks`).
"""
from envs.tau2_lite.domains.card_services.domain import (  # noqa: F401  (registers the domain)
    CardServicesDomain, build_test_set, canonical_db, generate_train_tasks, load_test_set,
)
from envs.tau2_lite.domains.card_services.tasks import generate_task, in_test_pool  # noqa: F401
