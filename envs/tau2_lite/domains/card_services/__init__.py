"""card_services: an original tau2-lite domain — a retail bank's card services desk.

A seeded, generated DB (datagen.py, models in db.py), 24 agent tools (tools_read.py, tools.py), a
policy with real decisions (policy.md), and a task generator (tasks.py, intents*.py) with a frozen
held-out test set (test_tasks.json) and unlimited train tasks (`generate_train_tasks`).
"""
from envs.tau2_lite.domains.card_services.datagen import canonical_db  # noqa: F401
from envs.tau2_lite.domains.card_services.domain import (  # noqa: F401  (registers the domain)
    CardServicesDomain, load_test_set,
)
from envs.tau2_lite.domains.card_services.tasks import (  # noqa: F401
    build_test_set, generate_task, generate_train_tasks, in_test_pool,
)
