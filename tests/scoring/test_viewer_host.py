"""The live viewer answers only requests addressed to an allowed host (no DNS rebinding)."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring.server import allowed_hosts
from tests.support.viewer import serve_viewer
from trajectories.store import TrajectoryStore

ROOT = Path(__file__).resolve().parents[2]


def _status(port: int, host_header: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", "/index.html", skip_host=True)
        conn.putheader("Host", host_header)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TrajectoryStore, Path]]:
    root = tmp_path_factory.mktemp("viewer-host")
    store = TrajectoryStore(f"sqlite:///{root / 'runs.db'}", root / "artifacts")
    store.upgrade()
    yield store, root
    store.close()


@pytest.fixture(scope="module")
def port(db: tuple[TrajectoryStore, Path]) -> Iterator[int]:
    with serve_viewer(db[0]) as port:
        yield port


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost.:{port}", "10.0.0.1:{port}", "bad host"])
def test_foreign_host_header_is_rejected(port: int, host: str) -> None:
    assert _status(port, host.format(port=port)) == 400


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LOCALHOST:{port}", "127.0.0.1"])
def test_loopback_host_header_is_served(port: int, host: str) -> None:
    assert _status(port, host.format(port=port)) == 200


def test_allowed_hosts_add_the_bound_address_and_explicit_hosts() -> None:
    assert allowed_hosts() == ["localhost", "127.0.0.1", "[::1]"]
    assert allowed_hosts("192.168.1.5")[-1] == "192.168.1.5"
    assert allowed_hosts("::1") == ["localhost", "127.0.0.1", "[::1]"]
    assert allowed_hosts("0.0.0.0", ["Viewer.LAN", "fd00::7"]) == \
        ["localhost", "127.0.0.1", "[::1]", "viewer.lan", "[fd00::7]"]
    assert allowed_hosts("::") == ["localhost", "127.0.0.1", "[::1]"]


def test_cli_allow_host(db: tuple[TrajectoryStore, Path]) -> None:
    _, root = db
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               AGENTS_DB=f"sqlite:///{root / 'runs.db'}", AGENTS_ARTIFACTS=str(root / "artifacts"))
    proc = subprocess.Popen([sys.executable, "-m", "agents", "view", "--port", str(port),
                             "--allow-host", "viewer.lan"], env=env, cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                status = _status(port, f"viewer.lan:{port}")
                break
            except OSError:
                assert time.monotonic() < deadline, "the viewer did not answer"
                time.sleep(0.2)
        assert status == 200
        assert _status(port, f"127.0.0.1:{port}") == 200
        assert _status(port, f"evil.example:{port}") == 400
    finally:
        proc.terminate()
        proc.wait(10)
