"""The Ray path never hands the database password to a worker as an argument, and episodes still run."""
from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import pytest
import ray  # in the test extra: required, never skipped
from ray.actor import ActorClass
from sqlalchemy.engine import make_url

from agents.ray_executor import PASSWORD_ENV, RayEpisodeExecutor, url_without_password, worker_store_url
from agents.runner import RunRequest, execute_run
from trajectories.records import EpisodeStatus
from trajectories.store import TrajectoryStore

PASSWORD = "pw-Zq7@/:%secret"


def _with_password(url: str) -> str:
    return make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)


def _contains_password(value: Any) -> bool:
    text = repr(value)
    return any(form in text for form in (PASSWORD, "pw-Zq7", "Zq7%40"))


@pytest.fixture
def submissions(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Everything handed to Ray for each worker started: arguments and actor options."""
    seen: list[dict[str, Any]] = []
    original = ActorClass._remote

    def recording(self: ActorClass, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        seen.append({"function": self.__ray_metadata__.class_name, "args": args, "kwargs": kwargs,
                     "options": options})
        return original(self, args=args, kwargs=kwargs, **options)

    monkeypatch.setattr(ActorClass, "_remote", recording)
    return seen


@pytest.fixture
def ray_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTS_PLUGINS", "tests.support.counter_env")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(os.getcwd()), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def test_urls_drop_and_restore_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    full = _with_password("postgresql+psycopg://agents@db.internal:5432/agents")
    public = url_without_password(full)
    assert public == "postgresql+psycopg://agents@db.internal:5432/agents" and not _contains_password(public)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    assert worker_store_url(public) == public
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    assert make_url(worker_store_url(public)).password == PASSWORD
    sqlite = "sqlite:////tmp/runs.db"
    assert url_without_password(sqlite) == sqlite and worker_store_url(sqlite) == sqlite


@pytest.mark.slow
@pytest.mark.postgres
def test_episodes_run_on_ray_without_the_password_in_task_arguments(
        make_pg_database: Callable[[], str], tmp_path: Any, ray_env: None,
        submissions: list[dict[str, Any]]) -> None:
    store = TrajectoryStore(_with_password(make_pg_database()), tmp_path / "artifacts")
    store.upgrade()
    request = RunRequest(env="test-counter", agent="oracle", task_ids=["count-to-1", "count-to-2"],
                         trials=1, concurrency=2, executor="ray")
    summary = asyncio.run(execute_run(request, store, show_progress=False))
    assert (summary.episodes, summary.succeeded, summary.errors) == (2, 2, 0)
    episodes = list(store.iter_episodes(run_ids=[summary.run_id]))
    assert {e.status for e in episodes} == {EpisodeStatus.SUCCEEDED}
    workers = [s for s in submissions if s["function"] == "EpisodeWorker"]
    assert len(workers) == 1   # one long-lived worker with enough slots for both episodes
    for submitted in workers:
        assert submitted["args"][0] == url_without_password(store.url)
        assert not _contains_password(submitted)
    assert PASSWORD_ENV not in os.environ and not ray.is_initialized()
    store.close()


def _probe() -> Any:
    """A task telling whether the worker rebuilds the full URL (defined locally: shipped by value,
    as workers cannot import test modules)."""
    def worker_has_password(store_url: str, password: str) -> bool:
        return make_url(worker_store_url(store_url)).password == password
    return ray.remote(worker_has_password)


@pytest.mark.slow
def test_a_private_cluster_inherits_the_password(tmp_path: Any, ray_env: None) -> None:
    store = TrajectoryStore(_with_password("postgresql+psycopg://agents@127.0.0.1:1/agents"), tmp_path / "a")
    public = url_without_password(store.url)
    executor = RayEpisodeExecutor(store, "test-counter", {}, "oracle", {})
    try:
        assert ray.get(_probe().remote(public, PASSWORD))
        assert not _contains_password(ray.get_runtime_context().runtime_env)
        assert not _contains_password(executor._args) and PASSWORD_ENV not in os.environ
    finally:
        executor.shutdown()
    assert not ray.is_initialized()


@pytest.mark.slow
@pytest.mark.postgres
def test_a_caller_started_ray_session_gets_the_password_per_task(
        make_pg_database: Callable[[], str], tmp_path: Any, ray_env: None,
        submissions: list[dict[str, Any]]) -> None:
    store = TrajectoryStore(_with_password(make_pg_database()), tmp_path / "artifacts")
    store.upgrade()
    ray.init(include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1",
             runtime_env={"env_vars": {k: os.environ[k] for k in ("AGENTS_PLUGINS", "PYTHONPATH")}})
    try:
        request = RunRequest(env="test-counter", agent="oracle", task_ids=["count-to-1"], executor="ray")
        summary = asyncio.run(execute_run(request, store, show_progress=False))
        assert (summary.episodes, summary.succeeded) == (1, 1)
        (submitted,) = [s for s in submissions if s["function"] == "EpisodeWorker"]
        assert not _contains_password(submitted["args"]) and not _contains_password(submitted["kwargs"])
        env_vars = submitted["options"]["runtime_env"]["env_vars"]
        assert env_vars == {PASSWORD_ENV: PASSWORD}
        probe = _probe()
        public = url_without_password(store.url)
        assert ray.get(probe.options(runtime_env={"env_vars": env_vars}).remote(public, PASSWORD))
        assert not ray.get(probe.remote(public, PASSWORD))
        assert ray.is_initialized()  # the executor leaves a session it did not start running
    finally:
        ray.shutdown()
        store.close()
