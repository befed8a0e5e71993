"""A CI-sized sample of the OSWorld sweep (benchmarks/osworld_bench.py runs all of it): one
runnable task per app domain, on stand-in assets, sets up, runs noop and is scored without an
infrastructure or harness error."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from envs.osworld.assets import task_asset_urls
from envs.osworld.blockers import blockers
from envs.osworld.loader import load_tasks
from tests.osworld_lite.conftest import desktop, desktop_problems  # noqa: F401  (the fixture)
from tests.support.osworld_standins import fill_cache, saved_names
from tests.support.osworld_sweep import run_noop

SAMPLE_DOMAINS = ("os", "libreoffice_calc", "chrome", "gimp", "thunderbird", "vlc")


@pytest.mark.slow
def test_a_sample_of_runnable_tasks_sets_up_and_is_scored(osworld_dir: Path, tmp_path: Path, desktop: None) -> None:
    tasks = [t for t in load_tasks(osworld_dir) if t.domain in SAMPLE_DOMAINS]
    cache = fill_cache(tmp_path / "assets", [u for t in tasks for u in task_asset_urls(t)], saved_names(tasks))
    sample = {}
    for t in sorted(tasks, key=lambda t: t.id):
        if t.domain not in sample and not blockers(t, cache):
            sample[t.domain] = t
    assert {"os", "libreoffice_calc", "chrome"} <= set(sample), "the core apps must have runnable tasks"
    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = list(pool.map(lambda t: run_noop(t, cache), sample.values()))
    bad = [f"{r['domain']}/{r['id']}: {r['outcome']}: {r.get('error')}" for r in rows if r["outcome"] != "scored"]
    assert not bad, "\n".join(bad)
    assert all(0.0 <= r["reward"] <= 1.0 for r in rows)
