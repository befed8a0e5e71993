"""Scale-out: run episodes on long-lived Ray workers across a cluster, all writing to one store.

The driver (`run --executor ray`) starts `EpisodeWorker` actors, each with a few episode slots
(`SlotPlan`: slots per worker, CPUs and memory per slot, placed by Ray's resources and spread
over the nodes), and hands each episode to a free slot. A worker opens its own connection to
the store and builds the environment family and agent factory once from their JSON
configuration, so warm desktops and browsers stay warm between its episodes. The driver keeps
the progress bar, the summary and the error budget. A worker that dies loses only its running
episodes: they are recorded as infrastructure errors (`--resume` re-runs them wherever a slot
is free) and a new worker takes its place.

On a cluster of several machines the store must be reachable from all of them: a PostgreSQL
`--db`, and artifacts in the database (the default there) or in an S3 bucket; the executor
refuses a SQLite file or a local artifact folder once Ray reports more than one node. Ray is an
optional extra: `pip install '.[ray]'`.

The database password never travels as an actor argument (Ray shows those in its dashboard, state
API and logs): workers get the store URL without it, and a worker adds the password from its
environment variable `AGENTS_DB_PASSWORD`. How it gets there:

* a private local cluster (no `--ray-address`) inherits it from the driver's environment when
  it starts, so it is never recorded by Ray;
* a cluster at `--ray-address` gets it in the job's `runtime_env` env_vars, or set
  `AGENTS_DB_PASSWORD` on every node before `ray start` and give `--db` a URL without a password;
* a Ray session the caller started gets it in each worker's `runtime_env`.

With neither, PostgreSQL's own client defaults still apply on the workers (`PGPASSWORD`,
`~/.pgpass`).
"""
from __future__ import annotations

import asyncio
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.engine import URL, make_url

from envs.errors import MissingDependencyError
from envs.types import TaskInfo


def _import_ray():
    try:
        import ray
    except ImportError as exc:
        raise MissingDependencyError("Ray", "pip install -e '.[ray]'") from exc
    return ray


PASSWORD_ENV = "AGENTS_DB_PASSWORD"
# What a private local cluster's workers inherit from the driver (never the DB password: see above).
# S3 credentials are not forwarded: give every node its own (environment, instance role).
DESKTOP_ENVS = frozenset({"osworld-lite", "osworld", "miniwob"})
FORWARDED_ENV = ("AGENTS_PLUGINS", "PYTHONPATH", "QWEN_BASE_URL", "OPENAI_API_KEY", "AGENTS_CONFIG",
                 "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION")


def url_without_password(url: str | URL) -> str:
    """The store URL as tasks receive it."""
    parsed = make_url(url)
    bare = URL.create(parsed.drivername, username=parsed.username, host=parsed.host, port=parsed.port,
                      database=parsed.database, query=parsed.query)
    return bare.render_as_string(hide_password=False)


def worker_store_url(store_url: str) -> str:
    """The store URL with the password from this worker's environment, when it has one."""
    url = make_url(store_url)
    password = os.environ.get(PASSWORD_ENV)
    if password and url.password is None:
        url = url.set(password=password)
    return url.render_as_string(hide_password=False)


@contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """Set a variable of this process for the duration (processes started meanwhile inherit it)."""
    if value is None:
        yield
        return
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


class EpisodeWorker:
    """A long-lived Ray actor with a few episode slots.

    It builds the store, the environment family and the agent factory once, so what an
    environment keeps warm between episodes (osworld-lite's spare desktops, a browser) stays
    warm for the worker's whole life. Everything it needs arrives as JSON-safe arguments.
    """

    def __init__(self, store_url: str, artifacts: str, env_name: str, env_options: dict[str, Any],
                 agent_name: str, agent_options: dict[str, Any]) -> None:
        from agents.agent import make_agent
        from agents.cli import load_plugins
        from agents.episode import EpisodeRunner, worker_label
        from agents.runtime_options import build_runtime_options
        from envs.registry import get_family
        from trajectories.store import TrajectoryStore

        load_plugins()
        ray = _import_ray()
        self.node_id = ray.get_runtime_context().get_node_id()
        self.store = TrajectoryStore(worker_store_url(store_url), artifacts)
        options = {**env_options, **build_runtime_options(env_options)}
        self.runner = EpisodeRunner(self.store, get_family(env_name), options,
                                    lambda: make_agent(agent_name, **agent_options), env_name,
                                    worker=worker_label(self.node_id))

    async def run(self, job: dict[str, Any]) -> dict[str, Any]:
        from agents.episode import EpisodeJob

        job = {**job, "task": TaskInfo.model_validate(job["task"])}
        outcome = await self.runner.run(EpisodeJob(**job))
        return {"episode_id": outcome.episode_id, "result": outcome.result.model_dump(mode="json"),
                "task_id": outcome.task_id, "trial": outcome.trial}

    def where(self) -> dict[str, Any]:
        """Where this worker runs and writes (for placement checks and tests)."""
        return {"node_id": self.node_id, "pid": os.getpid(), "artifacts": self.store.artifacts.location}


@dataclass(frozen=True)
class SlotPlan:
    """How episodes map onto Ray workers: `slots` episodes per worker, each slot reserving
    `cpus` CPUs and `memory_mb` MiB of Ray's memory resource (for placement, not a hard cap)."""

    slots: int = 4
    cpus: float = 1.0
    memory_mb: int | None = None

    def __post_init__(self) -> None:
        if self.slots < 1 or self.cpus <= 0 or (self.memory_mb is not None and self.memory_mb <= 0):
            raise ValueError(f"invalid slot plan {self}: slots >= 1, cpus > 0, memory_mb > 0")

    @classmethod
    def for_env(cls, env_name: str, slots: int | None = None, cpus: float | None = None,
                memory_mb: int | None = None) -> SlotPlan:
        """Defaults by kind of environment: a desktop or browser slot keeps a CPU busy; a
        tool-calling slot mostly waits on the model (a hundred share one CPU)."""
        desktop = env_name in DESKTOP_ENVS
        return cls(slots=slots or (2 if desktop else 16), cpus=cpus or (1.0 if desktop else 0.01),
                   memory_mb=memory_mb)

    def workers_for(self, concurrency: int, cluster_cpus: float | None = None) -> int:
        """Workers to start: enough slots for `concurrency`, no more than the cluster can place."""
        wanted = max(1, math.ceil(max(1, concurrency) / self.slots))
        if cluster_cpus is not None:
            wanted = min(wanted, max(1, int(cluster_cpus // (self.cpus * self.slots))))
        return wanted


class RayEpisodeExecutor:
    """Schedules episodes onto free slots of long-lived `EpisodeWorker` actors.

    `await executor.run(job)` returns an EpisodeOutcome. A worker that dies takes only its
    running episodes with it: they end as infrastructure errors (re-run by `--resume`, on
    whichever worker is free then) and a replacement worker takes its slots.
    """

    def __init__(self, store: Any, env_name: str, env_options: dict[str, Any], agent_name: str,
                 agent_options: dict[str, Any], address: str | None = None, concurrency: int = 1,
                 plan: SlotPlan | None = None):
        ray = _import_ray()
        password = make_url(store.url).password
        password = None if password is None else str(password)
        worker_secrets: dict[str, str] = {}
        if not ray.is_initialized():
            env_vars = {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ}
            if address:
                if password is not None:
                    env_vars[PASSWORD_ENV] = password
                ray.init(address=address, runtime_env={"env_vars": env_vars}, log_to_driver=False)
            else:
                # A private local cluster: loopback only, its own temp dir, no dashboard.
                os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
                os.environ.setdefault("RAY_AUTH_MODE", "disabled")
                with _environment(PASSWORD_ENV, password):
                    ray.init(include_dashboard=False, _temp_dir=tempfile.mkdtemp(prefix="agents-ray-"),
                             runtime_env={"env_vars": env_vars}, log_to_driver=False,
                             _node_ip_address="127.0.0.1")
            self._owns_ray = True
        else:
            self._owns_ray = False
            if password is not None:
                worker_secrets[PASSWORD_ENV] = password
        self._ray = ray
        try:
            _check_cluster_reaches_store(ray, store)
        except Exception:
            self.shutdown()
            raise
        self.plan = plan or SlotPlan.for_env(env_name)
        largest = max((n.get("Resources", {}).get("CPU", 0.0) for n in ray.nodes() if n.get("Alive")), default=0.0)
        if self.plan.cpus * self.plan.slots > largest:
            self.shutdown()
            from agents.runner import PreflightError

            raise PreflightError(f"a worker of {self.plan.slots} slots × {self.plan.cpus} CPUs does not fit on any "
                                 f"node of this Ray cluster (largest: {largest:g} CPUs); lower --slots-per-worker "
                                 "or --cpus-per-slot")
        options: dict[str, Any] = {"num_cpus": self.plan.cpus * self.plan.slots,
                                   "max_concurrency": self.plan.slots, "max_restarts": 0,
                                   "scheduling_strategy": "SPREAD"}
        if self.plan.memory_mb:
            options["memory"] = self.plan.memory_mb * self.plan.slots * 1024 * 1024
        if worker_secrets:
            options["runtime_env"] = {"env_vars": worker_secrets}
        self._actor_class = ray.remote(EpisodeWorker).options(**options)
        self._args = (url_without_password(store.url), store.artifacts.location, env_name, env_options,
                      agent_name, agent_options)
        self._store = store
        self._env_name = env_name
        self._free: asyncio.Queue[Any] | None = None   # made on the running loop, on first use
        self._workers: list[Any] = []
        self._lost: set[Any] = set()
        self._wanted = self.plan.workers_for(concurrency, ray.cluster_resources().get("CPU"))

    def _start_worker(self) -> None:
        assert self._free is not None
        worker = self._actor_class.remote(*self._args)
        self._workers.append(worker)
        for _ in range(self.plan.slots):
            self._free.put_nowait(worker)

    async def run(self, job: Any):
        from agents.episode import EpisodeOutcome
        from trajectories.records import EpisodeResult

        if self._free is None:
            self._free = asyncio.Queue()
            for _ in range(self._wanted):
                self._start_worker()
        worker = await self._free.get()
        payload = asdict(job)
        payload["task"] = job.task.model_dump(mode="json")
        try:
            raw = await worker.run.remote(payload)
        except self._ray.exceptions.RayActorError as exc:
            if worker not in self._lost:   # the first of its episodes to notice replaces it
                self._lost.add(worker)
                self._start_worker()
            return await asyncio.to_thread(self._record_lost, job, exc)
        except BaseException:
            self._free.put_nowait(worker)   # cancelled (the run stopped): the slot is still good
            raise
        self._free.put_nowait(worker)
        return EpisodeOutcome(raw["episode_id"], EpisodeResult.model_validate(raw["result"]),
                              raw["task_id"], raw["trial"])

    def _record_lost(self, job: Any, exc: BaseException):
        from agents.episode import EpisodeOutcome
        from envs.endings import Termination
        from trajectories.records import EpisodeResult, EpisodeStatus

        result = EpisodeResult(status=EpisodeStatus.ERROR, termination=Termination.INFRA_ERROR,
                               error=f"WorkerLost: the Ray worker running this episode died: {exc}"[:4000])
        episode_id = self._store.abandon_episode(job.run_id, self._env_name, job.task.domain, job.task.id,
                                                 job.task.split, job.trial, job.seed, result)
        return EpisodeOutcome(episode_id, result, job.task.id, job.trial)

    def where(self) -> list[dict[str, Any]]:
        """Each live worker's node, pid and artifact location."""
        live = [w for w in self._workers if w not in self._lost]
        return self._ray.get([w.where.remote() for w in live])

    def shutdown(self) -> None:
        for worker in getattr(self, "_workers", []):
            try:
                self._ray.kill(worker)
            except Exception:  # noqa: BLE001 - already gone
                pass
        if self._owns_ray:
            self._ray.shutdown()


def _check_cluster_reaches_store(ray: Any, store: Any) -> None:
    """On a cluster of several machines, every worker must reach the same rows and blobs."""
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    hosts = {n.get("NodeManagerAddress") for n in nodes}
    if len(nodes) < 2:
        return
    problems = []
    if store.url.get_backend_name() == "sqlite":
        problems.append("the store is a SQLite file on this machine: use a PostgreSQL --db")
    if store.artifacts.is_node_local():
        problems.append(f"artifacts go to the local folder {store.artifacts.location!r}: "
                        "use --artifacts db (PostgreSQL) or --artifacts s3://bucket/prefix")
    if problems:
        from agents.runner import PreflightError

        raise PreflightError(f"this Ray cluster has {len(nodes)} nodes ({len(hosts)} addresses), but "
                             + "; ".join(problems))
