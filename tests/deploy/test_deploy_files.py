"""The container images, compose file and worker start-up script (Docker cannot run here, so
the files are linted with the tools Docker users run, and the script runs outside Docker)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.paths import REPO_ROOT

DOCKER = REPO_ROOT / "docker"
START_WORKER = DOCKER / "worker" / "start-worker.sh"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is in the test extra (pip install -e '.[test]')"
    return str(path)


@pytest.mark.parametrize("dockerfile", sorted(DOCKER.glob("*/Dockerfile")), ids=lambda p: p.parent.name)
def test_dockerfiles_pass_hadolint(dockerfile: Path) -> None:
    res = subprocess.run([_tool("hadolint"), "--failure-threshold", "warning", str(dockerfile)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_images_run_unprivileged() -> None:
    for dockerfile in DOCKER.glob("*/Dockerfile"):
        users = [line.split()[1] for line in dockerfile.read_text().splitlines() if line.startswith("USER ")]
        assert users and users[-1] not in ("root", "0"), dockerfile


def test_start_worker_script_passes_shellcheck() -> None:
    res = subprocess.run([_tool("shellcheck"), str(START_WORKER)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_compose_file_starts_the_cluster_without_disabling_seccomp() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "ray-head", "worker", "driver", "vllm"} <= set(services)
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["vllm"]["profiles"] == ["gpu"]   # the GPU is optional
    for name, service in services.items():
        assert not any("seccomp" in opt for opt in service.get("security_opt", [])), name
        build = service.get("build")
        if build:
            assert (DOCKER / build["context"] / build["dockerfile"]).is_file(), name
    assert services["worker"]["environment"]["RAY_ADDRESS"] == "ray-head:6379"
    assert services["worker"]["environment"]["AGENTS_DB"].startswith("postgresql")


def _start_worker(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(START_WORKER)], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=60)


def test_start_worker_needs_the_head_address() -> None:
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    res = subprocess.run(["bash", str(START_WORKER)], env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode != 0 and "RAY_ADDRESS" in res.stderr


def test_start_worker_refuses_an_unreachable_store() -> None:
    res = _start_worker({"RAY_ADDRESS": "127.0.0.1:9", "PATH": f"{BIN}:{os.environ['PATH']}",
                         "AGENTS_DB": "postgresql+psycopg://agents@127.0.0.1:9/agents"})
    assert res.returncode == 3 and "cannot reach the store" in res.stderr, res.stderr
