"""`run --env osworld` end to end on a real desktop: OSWorld's setup steps (download from the
asset cache, placeholders, execute until, postconfig stdout → cache_file, cloud_file) score a
task, tasks with blockers are recorded as not runnable, and the leaderboard counts them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from agents.settings import open_store
from envs.osworld.assets import AssetCache
from scoring.leaderboard import add_not_runnable, build_rows, render_table
from scoring.source import StoreSource
from tests.osworld.conftest import task, write_task
from tests.support.paths import REPO_ROOT

ASSET = "https://huggingface.co/datasets/xlangai/ubuntu_osworld_file_cache/resolve/main/os/t/in.txt"

SETUP_TASK = task(
    "setup-steps", related_apps=["os"],
    config=[
        {"type": "download", "parameters": {"files": [{"url": ASSET, "path": "/home/user/in.txt"}]}},
        {"type": "execute", "parameters": {"command": ["bash", "-c", "echo {SCREEN_WIDTH_HALF}x{SCREEN_HEIGHT} > ~/half.txt"]}},
        {"type": "command", "parameters": {"command": "test -f ~/half.txt && echo ready", "shell": True,
                                           "until": {"stdout": "ready"}}},
    ],
    evaluator={
        "postconfig": [{"type": "execute", "parameters": {"command": ["cat", "half.txt"], "stdout": "half.out"}}],
        "func": ["check_list", "compare_text_file"],
        "result": [{"type": "cache_file", "path": "half.out"},
                   {"type": "vm_file", "path": "/home/user/in.txt", "dest": "in.txt"}],
        "expected": [{"type": "rule", "rules": {"expect": ["^960x1080$"]}},
                     {"type": "cloud_file", "path": ASSET, "dest": "gold.txt"}]})


def _agents(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "agents", *args], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=240)


@pytest.mark.slow
def test_run_scores_setup_and_records_not_runnable(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks"
    write_task(tasks, "os", SETUP_TASK)
    write_task(tasks, "os", task("needs-web", proxy=True))
    write_task(tasks, "vs_code", task("needs-code", snapshot="vscode", related_apps=["vscode"]))
    cache = AssetCache(tmp_path / "assets")
    cache.path(ASSET).parent.mkdir(parents=True)
    cache.path(ASSET).write_text("the same text\n")
    db = f"sqlite:///{tmp_path / 'runs.db'}"
    common = ["--env", "osworld", "--task-file", str(tasks), "--assets", str(cache.root), "--db", db,
              "--artifacts", str(tmp_path / "art")]

    out = _agents("run", *common, "--agent", "noop", "--no-progress", "--json-summary")
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert (summary["episodes"], summary["succeeded"], summary["errors"]) == (1, 1, 0)
    assert "2 OSWorld task(s) are not runnable here" in out.stderr

    store = open_store(db)  # the stored run config keeps what was left out, and why
    try:
        (run,) = store.list_runs()
        recorded = run.config.env_options["not_runnable"]
        episodes = StoreSource(store).episodes()
        table_rows = add_not_runnable(build_rows(episodes), [run])
    finally:
        store.close()
    assert recorded == {
        "needs-web": {"domain": "os", "blockers": ["needs live web (OSWorld runs it through its web proxy: proxy: true)"]},
        "needs-code": {"domain": "vs_code", "blockers": ["app not installed: code (VS Code is not packaged by Debian)"]}}

    rows = {r["domain"]: r for r in json.loads(_agents("leaderboard", "--db", db, "--json").stdout)}
    assert (rows["os"]["tasks"], rows["os"]["not_runnable"], rows["os"]["tasks_total"]) == (1, 1, 2)
    assert (rows["vs_code"]["episodes"], rows["vs_code"]["not_runnable"], rows["vs_code"]["tasks_total"]) == (0, 1, 1)
    assert (rows["all"]["not_runnable"], rows["all"]["tasks_total"]) == (2, 3)
    console = Console(width=300, record=True)
    console.print(render_table(table_rows))
    assert "scored 1/3 tasks (2 not runnable)" in console.export_text()

    only_blocked = _agents("run", *common, "--agent", "noop", "--tasks", "needs-code", "--no-progress")
    assert only_blocked.returncode == 4 and "none of the named tasks is runnable" in only_blocked.stderr
