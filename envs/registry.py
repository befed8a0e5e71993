"""Registry of environment families (osworld-lite, tau2-lite, test-only families).

A family lists its tasks and builds one `gymnasium.Env` per task. Families register
themselves on import; `load_builtin_families()` imports the shipped ones lazily so that
`python -m agents --help` stays fast.
"""
from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable

import gymnasium as gym

from envs.errors import UnknownIdError
from envs.types import TaskInfo

BUILTIN_FAMILY_MODULES = {
    "osworld-lite": "envs.osworld_lite",
    "miniwob": "envs.miniwob",
    "tau2-lite": "envs.tau2_lite",
    "osworld": "envs.osworld",
}
# Families whose train/test split picks instances (seeds) of the same tasks, not tasks: the CLI
# passes `split` to them as an option.
SEED_SPLIT_FAMILIES = frozenset({"miniwob"})


@runtime_checkable
class EnvFamily(Protocol):
    name: str
    description: str

    def list_tasks(self, **options: Any) -> list[TaskInfo]:
        """All tasks under the given options (domain, data_dir, task_file, …)."""

    def make(self, task_id: str, **options: Any) -> gym.Env:
        """A fresh environment for one task (not yet reset)."""

    def preflight(self, **options: Any) -> list[str]:
        """Problems that would stop episodes from running (missing apps …); [] when ready."""


_FAMILIES: dict[str, EnvFamily] = {}


def register_family(family: EnvFamily) -> EnvFamily:
    _FAMILIES[family.name] = family
    return family


def get_family(name: str) -> EnvFamily:
    if name not in _FAMILIES and name in BUILTIN_FAMILY_MODULES:
        importlib.import_module(BUILTIN_FAMILY_MODULES[name])
    if name not in _FAMILIES:
        raise UnknownIdError("environment", name, list(BUILTIN_FAMILY_MODULES) + list(_FAMILIES))
    return _FAMILIES[name]


def list_families() -> list[str]:
    return sorted(set(BUILTIN_FAMILY_MODULES) | set(_FAMILIES))
