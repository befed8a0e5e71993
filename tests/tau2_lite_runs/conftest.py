"""Fixtures of the τ²-bench run tests: a `data/tau2/domains`-like folder of symlinks to the
shared reference data (never copied), and the CLI run as a user runs it (subprocesses)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tau2_runs_helpers import Cli
from tests.support.paths import shared_path


@pytest.fixture
def domains_dir(tmp_path: Path) -> Path:
    """retail and mock from τ²-bench, plus a folder no tau2-lite domain is named after."""
    root = tmp_path / "domains"
    root.mkdir()
    (root / "retail").symlink_to(shared_path("tau2", "retail"))
    (root / "mock").symlink_to(shared_path("tau2", "mock"))
    (root / "not_a_domain").mkdir()
    return root


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)
