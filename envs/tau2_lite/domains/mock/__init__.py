"""τ²-bench's mock domain (tasks and notifications), read from `--data-dir`."""
from __future__ import annotations

from envs.tau2_lite.domain import DataDirDomain, register_domain
from envs.tau2_lite.domains.mock.tools import MockDB, MockTools, MockUserDB, MockUserTools


@register_domain
class MockDomain(DataDirDomain):
    name = "mock"
    description = "τ²-bench mock: a tiny task tracker with user-side notifications."
    db_class = MockDB
    toolkit_class = MockTools
    user_db_class = MockUserDB
    user_toolkit_class = MockUserTools
