from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # so that `tests.export.*` helpers import the same way everywhere
    sys.path.insert(0, str(ROOT))

from tests.export.seed import ENV_SECRET, Seeded, seed_store, spec_provider  # noqa: E402
from trajectories.export import ExportOptions, ExportReport, export_trajectories  # noqa: E402
from trajectories.store import TrajectoryStore  # noqa: E402

FORMATS = ("openai", "swift", "llamafactory", "trl", "parquet")
SECRET_ENV = {"SHOP_API_TOKEN": ENV_SECRET}


@pytest.fixture(scope="package")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    root = tmp_path_factory.mktemp("export-store")
    store = TrajectoryStore(f"sqlite:///{root / 'runs.db'}", root / "artifacts")
    store.upgrade()
    return seed_store(store)


@pytest.fixture(scope="package")
def run_export(seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., ExportReport]:
    def run(fmt: str, *, provider: Any = spec_provider, **options: Any) -> ExportReport:
        out = tmp_path_factory.mktemp(f"export-{fmt}") / "out"
        opts = ExportOptions(format=fmt, out_dir=out, **options)
        return export_trajectories(seeded.store, opts, spec_provider=provider, environ=SECRET_ENV)
    return run


@pytest.fixture(scope="package")
def full_exports(run_export: Callable[..., ExportReport]) -> dict[str, ExportReport]:
    """Every format, reasoning kept, with preference pairs."""
    return {fmt: run_export(fmt, thinking="keep", pairs=True) for fmt in FORMATS}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
