"""A real two-node Ray cluster on loopback: a head and a second node (started by the worker
image's start-up script), each its own process tree with its own temp dir and artifact folder,
one throwaway PostgreSQL for rows and screenshots.

A tau2-lite run and an osworld-lite run go through it; episodes must land on both nodes,
nothing may be written to a node's local artifact folder, and an export made on the driver
must carry every screenshot the workers stored.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from agents.runner import PreflightError, RunRequest, execute_run
from tests.support.paths import REPO_ROOT
from tests.support.prereqs import require_desktop
from trajectories.records import EpisodeStatus
from trajectories.store import TrajectoryStore

pytestmark = [pytest.mark.multinode, pytest.mark.slow, pytest.mark.postgres]
RAY = str(Path(sys.executable).with_name("ray"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoopbackCluster:
    """`ray start` twice, as an operator would on two machines, but on 127.0.0.1."""

    def __init__(self) -> None:
        # Short paths: Ray's Unix sockets live under the temp dir (108-byte limit).
        self.root = Path(tempfile.mkdtemp(prefix="mn-", dir="/tmp"))
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.local_artifacts = {name: self.root / name / "artifacts" for name in ("head", "node2")}

    def _env(self, node: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        # Ray refuses a second node unless multi-node clusters are enabled; with them enabled it
        # advertises the host's own address (the traffic still stays on this machine).
        env.update(RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="1", RAY_AUTH_MODE="disabled",
                   RAY_USAGE_STATS_ENABLED="0", PYTHONPATH=str(REPO_ROOT),
                   # Where a worker would put blobs if anything fell back to a local folder.
                   AGENTS_ARTIFACTS=str(self.local_artifacts[node]))
        return env

    def start(self, store_url: str) -> None:
        head = [RAY, "start", "--head", f"--port={self.port}", "--include-dashboard=false",
                f"--temp-dir={self.root / 'head-tmp'}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
                "--disable-usage-stats"]
        subprocess.run(head, env=self._env("head"), check=True, capture_output=True, timeout=120)
        # The second node joins the way a worker container does: through its start-up script.
        env = {**self._env("node2"), "RAY_ADDRESS": self.address, "WORKER_CPUS": "2", "AGENTS_DB": store_url,
               "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
               "RAY_START_ARGS": f"--temp-dir={self.root / 'node2-tmp'} --node-ip-address=127.0.0.1"}
        self.worker = subprocess.Popen(["bash", str(REPO_ROOT / "docker" / "worker" / "start-worker.sh")], env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while len(self.node_ids()) < 2:
            if self.worker.poll() is not None:
                raise RuntimeError(f"the worker's start-up script exited: {self.worker.stderr.read()}")
            if time.monotonic() > deadline:
                raise RuntimeError("the second node did not join the cluster")
            time.sleep(1)

    def stop(self) -> None:
        """Stop exactly this cluster's processes (not `ray stop`, which stops every Ray on the machine)."""
        mine = []
        for proc in psutil.process_iter(["cmdline"]):
            try:
                if str(self.root) in " ".join(proc.info["cmdline"] or []):
                    mine.append(proc)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        family = {p.pid: p for p in mine}
        for proc in mine:
            try:
                family.update({c.pid: c for c in proc.children(recursive=True)})
            except psutil.NoSuchProcess:
                pass
        for proc in family.values():
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(list(family.values()), timeout=20)
        if getattr(self, "worker", None) is not None and self.worker.poll() is None:
            self.worker.kill()
            self.worker.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def node_ids(self) -> set[str]:
        import ray
        ray.init(address=self.address, log_to_driver=False)
        try:
            return {n["NodeID"] for n in ray.nodes() if n["Alive"]}
        finally:
            ray.shutdown()


@pytest.fixture
def store_url(make_pg_database: Callable[[], str]) -> str:
    return make_pg_database()


@pytest.fixture
def cluster(store_url: str) -> Iterator[LoopbackCluster]:
    lc = LoopbackCluster()
    try:
        lc.start(store_url)
        yield lc
    finally:
        import ray
        ray.shutdown()
        lc.stop()


def test_mixed_run_across_two_nodes(cluster: LoopbackCluster, store_url: str,
                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_desktop()
    import ray
    monkeypatch.delenv("AGENTS_ARTIFACTS", raising=False)

    # A store only this machine can read is refused before anything runs.
    local = TrajectoryStore(f"sqlite:///{tmp_path / 'local.db'}", tmp_path / "local-artifacts")
    local.upgrade()
    with pytest.raises(PreflightError, match="2 nodes.*SQLite.*local folder"):
        asyncio.run(execute_run(RunRequest(env="tau2-lite", agent="oracle", env_options={
            "domain": "card_services", "user": "scripted"}, task_ids=[], limit=1, executor="ray",
            ray_address=cluster.address), local, show_progress=False))
    local.close()
    ray.shutdown()

    db_url = store_url
    store = TrajectoryStore(db_url, "db")
    store.upgrade()
    tool = RunRequest(env="tau2-lite", agent="oracle", env_options={"domain": "card_services", "user": "scripted"},
                      split="train", limit=6, concurrency=4, executor="ray", ray_address=cluster.address,
                      slots_per_worker=2)
    tool_summary = asyncio.run(execute_run(tool, store, show_progress=False))
    assert not ray.is_initialized()   # the driver let go of the cluster it connected to
    desktop = RunRequest(env="osworld-lite", agent="oracle", split="train", concurrency=2, executor="ray",
                         ray_address=cluster.address, slots_per_worker=1,
                         task_ids=["editor-fix-typo", "os-make-script-executable", "editor-add-shebang",
                                   "files-find-invoice"])
    desktop_summary = asyncio.run(execute_run(desktop, store, show_progress=False))
    nodes = cluster.node_ids()
    assert len(nodes) == 2

    episodes = list(store.iter_episodes(run_ids=[tool_summary.run_id, desktop_summary.run_id]))
    assert len(episodes) == 10
    assert {e.status for e in episodes} == {EpisodeStatus.SUCCEEDED}, [(e.task_id, e.error) for e in episodes]
    ran_on = {e.worker.rsplit("@", 1)[1] for e in episodes}
    assert ran_on == nodes, "episodes did not run on both nodes"
    for env in ("tau2-lite", "osworld-lite"):
        assert len({e.worker.rsplit("@", 1)[1] for e in episodes if e.env == env}) == 2, env

    # Nothing went to a node-local folder: rows and screenshots are all in PostgreSQL.
    for folder in cluster.local_artifacts.values():
        assert not folder.exists() or not any(folder.rglob("*")), folder
    shots = {step.observation_artifacts["screenshot"] for e in episodes if e.env == "osworld-lite"
             for step in store.get_steps(e.id) if "screenshot" in step.observation_artifacts}
    assert len(shots) >= 8

    # The driver exports every screenshot the agents saw, read back from the database.
    out = tmp_path / "export"
    env = {**os.environ, "AGENTS_DB": db_url}
    env.pop("AGENTS_ARTIFACTS", None)
    res = subprocess.run([sys.executable, "-m", "agents", "export", "--format", "swift", "--out", str(out),
                          "--runs", desktop_summary.run_id],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    exported = {p.stem for p in out.rglob("images/*/*") if p.is_file()}
    rows = [json.loads(line) for line in (out / "data.jsonl").read_text().splitlines()]
    referenced = {Path(img).stem for row in rows for img in row.get("images", [])}
    assert len(rows) == 4 and referenced and referenced == exported
    seen_by_agent = set()
    for e in episodes:
        if e.env == "osworld-lite":
            steps = store.get_steps(e.id)
            # every observation the agent acted on (the last one comes after its last action)
            seen_by_agent |= {s.observation_artifacts["screenshot"] for s in steps[:-1]
                              if "screenshot" in s.observation_artifacts}
    assert seen_by_agent <= exported
    assert not (tmp_path / "agent_runs").exists()
    store.close()
