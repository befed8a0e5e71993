"""Scale-out: run episodes as Ray tasks on a cluster, all writing to one shared store.

Each episode runs in a Ray worker that opens its own connection to the store (use PostgreSQL
for a multi-machine cluster; SQLite works for a single machine) and rebuilds the environment,
the agent and any simulator models from their JSON configuration. Ray is an optional extra:
`pip install '.[ray]'`.

The database password never travels as a task argument (Ray shows those in its dashboard, state
API and logs): tasks get the store URL without it, and a worker adds the password from its
environment variable `AGENTS_DB_PASSWORD`. How it gets there:

* a private local cluster (no `--ray-address`) inherits it from the driver's environment when
  it starts, so it is never recorded by Ray;
* a cluster at `--ray-address` gets it in the job's `runtime_env` env_vars, or set
  `AGENTS_DB_PASSWORD` on every node before `ray start` and give `--db` a URL without a password;
* a Ray session the caller started gets it in each task's `runtime_env`.

With neither, PostgreSQL's own client defaults still apply on the workers (`PGPASSWORD`,
`~/.pgpass`).
"""
from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
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


def run_episode_in_worker(store_url: str, artifacts_dir: str, env_name: str, env_options: dict[str, Any],
                          agent_name: str, agent_options: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """The body of one Ray task: everything is rebuilt from JSON-safe arguments."""
    from agents.agent import make_agent
    from agents.cli import load_plugins
    from agents.episode import EpisodeJob, EpisodeRunner
    from agents.runtime_options import build_runtime_options
    from envs.registry import get_family
    from trajectories.store import TrajectoryStore

    load_plugins()
    store = TrajectoryStore(worker_store_url(store_url), artifacts_dir)
    options = {**env_options, **build_runtime_options(env_options)}
    runner = EpisodeRunner(store, get_family(env_name), options,
                           lambda: make_agent(agent_name, **agent_options), env_name)
    job["task"] = TaskInfo.model_validate(job["task"])
    outcome = asyncio.run(runner.run(EpisodeJob(**job)))
    return {"episode_id": outcome.episode_id, "result": outcome.result.model_dump(mode="json"),
            "task_id": outcome.task_id, "trial": outcome.trial}


class RayEpisodeExecutor:
    """Submits episodes to Ray; `await executor.run(job)` returns an EpisodeOutcome."""

    def __init__(self, store: Any, env_name: str, env_options: dict[str, Any], agent_name: str,
                 agent_options: dict[str, Any], address: str | None = None, num_cpus_per_episode: float = 1.0):
        ray = _import_ray()
        password = make_url(store.url).password
        password = None if password is None else str(password)
        task_secrets: dict[str, str] = {}
        if not ray.is_initialized():
            env_vars = {k: os.environ[k] for k in ("AGENTS_PLUGINS", "PYTHONPATH", "QWEN_BASE_URL",
                                                   "OPENAI_API_KEY", "AGENTS_CONFIG") if k in os.environ}
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
                task_secrets[PASSWORD_ENV] = password
        self._ray = ray
        self._remote = ray.remote(num_cpus=num_cpus_per_episode, max_retries=0)(run_episode_in_worker)
        self._task_options: dict[str, Any] = {"runtime_env": {"env_vars": task_secrets}} if task_secrets else {}
        self._args = (url_without_password(store.url), str(store.artifacts.root), env_name, env_options,
                      agent_name, agent_options)

    async def run(self, job: Any):
        from agents.episode import EpisodeOutcome
        from trajectories.records import EpisodeResult

        payload = asdict(job)
        payload["task"] = job.task.model_dump(mode="json")
        remote = self._remote.options(**self._task_options) if self._task_options else self._remote
        raw = await remote.remote(*self._args, payload)
        return EpisodeOutcome(raw["episode_id"], EpisodeResult.model_validate(raw["result"]),
                              raw["task_id"], raw["trial"])

    def shutdown(self) -> None:
        if self._owns_ray:
            self._ray.shutdown()
