"""A tool domain (DB schema, toolkits, policy, tasks) and the registry of domains.

A domain subclasses `Domain` and registers itself when its module is imported:

    @register_domain
    class CardServices(Domain):
        name = "card_services"
        description = "A bank's card services desk."
        db_class = CardDB                   # a db.DB subclass
        toolkit_class = CardTools           # agent tools (a toolkit.Toolkit subclass)
        user_toolkit_class = None           # optional tools of the simulated user
        now = datetime(2025, 3, 3, 10, 0)   # what the tools' clock reads

        def policy(self) -> str: ...
        def db_source(self) -> DBSource: ...          # cached by the base class
        def load_tasks(self) -> list[Task]: ...       # cached by the base class
        def splits(self) -> dict[str, list[str]]: ... # "train"/"test" -> task ids

Data-directory domains (τ²-bench's retail and mock) subclass `DataDirDomain`, which reads
db.json, tasks.json, policy.md, split_tasks.json and user_db.json from `data_dir`.

`new_toolkits(seed)` gives fresh toolkits on fresh DBs with a fresh clock and id generator,
so every replay starts from the same state.
"""
from __future__ import annotations

import functools
import importlib
import json
import threading
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import gymnasium as gym

from envs.errors import UnknownIdError
from envs.tau2_lite.db import DB, DBSource
from envs.tau2_lite.determinism import DEFAULT_NOW, FixedClock, IdGenerator
from envs.tau2_lite.tasks import Task, load_tasks
from envs.tau2_lite.toolkit import Toolkit

T = TypeVar("T")

BUILTIN_DOMAINS = {
    "retail": "envs.tau2_lite.domains.retail",
    "mock": "envs.tau2_lite.domains.mock",
    "card_services": "envs.tau2_lite.domains.card_services",
    "telecom": "envs.tau2_lite.domains.telecom",
    "telecom-workflow": "envs.tau2_lite.domains.telecom",
    "banking_knowledge": "envs.tau2_lite.domains.banking_knowledge",
    "airline": "envs.tau2_lite.domains.airline",
}


_LOAD_LOCK = threading.RLock()


def _loaded_once(method: Callable[[Any], T]) -> T:
    """A property computed once per instance, under a lock: episodes run in threads, and
    all of them must share one parsed DB (comparisons within one source are the fast path)."""
    key = f"_loaded_{method.__name__}"

    @functools.wraps(method)
    def getter(self: Any) -> T:
        if key not in self.__dict__:
            with _LOAD_LOCK:
                if key not in self.__dict__:
                    self.__dict__[key] = method(self)
        return self.__dict__[key]
    return property(getter)  # type: ignore[return-value]


class Domain:
    """Base class of a domain. One instance per (domain, options); its data is cached."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    db_class: ClassVar[type[DB]]
    toolkit_class: ClassVar[type[Toolkit]]
    user_db_class: ClassVar[type[DB] | None] = None
    user_toolkit_class: ClassVar[type[Toolkit] | None] = None
    now: ClassVar[datetime] = DEFAULT_NOW
    needs_data_dir: ClassVar[bool] = False

    def __init__(self, data_dir: str | Path | None = None, **options: Any) -> None:
        self.data_dir = Path(data_dir).expanduser() if data_dir else None
        self.options = options

    # -- to implement --------------------------------------------------------------------
    def policy(self) -> str:
        raise NotImplementedError

    def policy_for(self, task: Task) -> str:
        """The policy the agent reads in one task's episode (the same for every task in most
        domains; banking_knowledge's `golden_retrieval` inlines the task's documents)."""
        return self.policy()

    def db_source(self) -> DBSource:
        """The pristine agent DB (build it once; the base caches `source`)."""
        raise NotImplementedError

    def user_db_source(self) -> DBSource | None:
        """The pristine user-side DB, for domains with user tools."""
        return None

    def load_tasks(self) -> list[Task]:
        raise NotImplementedError

    def splits(self) -> dict[str, list[str]]:
        """Split name -> task ids. Tasks in no "train"/"test" split count as "test"."""
        return {}

    def sync_tools(self, agent_tools: Toolkit, user_tools: Toolkit | None) -> None:
        """Bring the user's side in step with the agent's DB (τ²-bench's `sync_tools`); the
        runtime calls it wherever the reference does. Most domains have nothing to sync."""

    def dump_db_json(self, db: Any) -> str:
        """A DB as check-tasks writes it (JSON text): the db.json layout unless the domain says
        otherwise."""
        return db.dump_json()

    # -- provided ------------------------------------------------------------------------
    @_loaded_once
    def source(self) -> DBSource:
        return self.db_source()

    @_loaded_once
    def user_source(self) -> DBSource | None:
        return self.user_db_source()

    @_loaded_once
    def tasks(self) -> dict[str, Task]:
        tasks = self.load_tasks()
        out: dict[str, Task] = {}
        for task in tasks:
            if task.id in out:
                raise ValueError(f"domain {self.name}: duplicate task id {task.id!r}")
            out[task.id] = task
        return out

    def task(self, task_id: str) -> Task:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise UnknownIdError(f"{self.name} task", task_id, self.tasks) from None

    @cached_property
    def _train_ids(self) -> frozenset[str]:
        return frozenset(self.splits().get("train", ()))

    def split_of(self, task_id: str) -> str:
        """"train" for tasks of the train split, else "test"."""
        return "train" if task_id in self._train_ids else "test"

    def new_toolkits(self, seed: int = 0, task: Task | None = None) -> tuple[Toolkit, Toolkit | None]:
        """Agent and user toolkits on fresh DBs, sharing one clock and one id generator.
        `task` is the task the toolkits will serve (most domains ignore it)."""
        clock, ids = FixedClock(self.now), IdGenerator(seed)
        agent = self.toolkit_class(self.source.fresh(), clock=clock, ids=ids)
        user = None
        if self.user_toolkit_class is not None:
            usrc = self.user_source
            user = self.user_toolkit_class(usrc.fresh() if usrc else None, clock=clock, ids=ids)
        return agent, user


class DataDirDomain(Domain):
    """A τ²-bench domain read from a data directory (db.json, tasks.json, policy.md, …)."""

    needs_data_dir = True
    data_hint: ClassVar[str] = ""

    def __init__(self, data_dir: str | Path | None = None, **options: Any) -> None:
        super().__init__(data_dir, **options)
        if self.data_dir is None:
            raise ValueError(
                f"domain {self.name!r} needs its τ²-bench data: pass --data-dir pointing at your "
                f"τ²-bench checkout's data/tau2/domains/{self.name}{self.data_hint}")
        if not self.data_dir.is_dir():
            raise ValueError(f"--data-dir {self.data_dir} is not a directory")
        missing = [f for f in ("db.json", "tasks.json", "policy.md") if not (self.data_dir / f).is_file()]
        if missing:
            raise ValueError(f"--data-dir {self.data_dir} lacks {', '.join(missing)}; it should be "
                             f"τ²-bench's data/tau2/domains/{self.name}")

    def policy(self) -> str:
        return (self.data_dir / "policy.md").read_text(encoding="utf-8")

    def db_source(self) -> DBSource:
        src = self.db_class.load(self.data_dir / "db.json")
        src.validate_all()
        return src

    def user_db_source(self) -> DBSource | None:
        path = self.data_dir / "user_db.json"
        if self.user_db_class is None or not path.is_file():
            return None
        return self.user_db_class.load(path)

    def load_tasks(self) -> list[Task]:
        return load_tasks(self.data_dir / "tasks.json")

    def splits(self) -> dict[str, list[str]]:
        path = self.data_dir / "split_tasks.json"
        if not path.is_file():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected an object of split name -> task ids")
        return {k: [str(t) for t in v] for k, v in data.items()}


# -- registry ------------------------------------------------------------------------------
_DOMAINS: dict[str, type[Domain]] = {}
_INSTANCES: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Domain] = {}
_LOCK = threading.Lock()


def register_domain(cls: type[Domain]) -> type[Domain]:
    """Class decorator: make a domain available as `--domain <cls.name>` and as the gymnasium
    id `tau2-lite/<cls.name>`."""
    _DOMAINS[cls.name] = cls
    gym_id = f"tau2-lite/{cls.name}"
    if gym_id not in gym.registry:
        gym.register(id=gym_id, entry_point="envs.tau2_lite:make_env", kwargs={"domain": cls.name})
    return cls


def unregister_domain(name: str) -> None:
    """Forget a registered domain (its cached instances and its gymnasium id too)."""
    _DOMAINS.pop(name, None)
    gym.registry.pop(f"tau2-lite/{name}", None)
    with _LOCK:
        for key in [k for k in _INSTANCES if k[0] == name]:
            del _INSTANCES[key]


def get_domain_class(name: str) -> type[Domain]:
    if name not in _DOMAINS and name in BUILTIN_DOMAINS:
        try:
            importlib.import_module(BUILTIN_DOMAINS[name])
        except ModuleNotFoundError as exc:
            if exc.name != BUILTIN_DOMAINS[name]:
                raise
    if name not in _DOMAINS:
        raise UnknownIdError("tau2-lite domain", name, list_domains())
    return _DOMAINS[name]


def get_domain(name: str, data_dir: str | Path | None = None, **options: Any) -> Domain:
    """The (cached) domain instance for these options; its DB and tasks are parsed once."""
    cls = get_domain_class(name)
    key = (name, str(Path(data_dir).expanduser().resolve()) if data_dir else None,
           tuple(sorted((k, repr(v)) for k, v in options.items())))
    with _LOCK:
        inst = _INSTANCES.get(key)
        if inst is None:
            inst = cls(data_dir, **options)
            _INSTANCES[key] = inst
        return inst


def list_domains() -> list[str]:
    """Registered domains plus the built-in ones that can be imported."""
    names = set(_DOMAINS)
    for name, module in BUILTIN_DOMAINS.items():
        if name in names:
            continue
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        names.add(name)
    return sorted(names & set(_DOMAINS))
