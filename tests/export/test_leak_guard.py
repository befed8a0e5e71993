"""The export's leak guard checks content, not only ids: a train-labelled task that reuses a test
task's instruction (reworded) or fixture bytes is not exported, and the manifest says so."""
from __future__ import annotations

import json
from pathlib import Path

from envs.decontamination import LeakGuard
from envs.osworld_lite.suite import BUILTIN_DIR
from tests.export.seed import record_qwen_desktop
from trajectories.export import ExportOptions, export_trajectories
from trajectories.records import RunConfig
from trajectories.store import TrajectoryStore


def _test_task_with_fixture() -> dict:
    for path in sorted(BUILTIN_DIR.glob("*.json")):
        for task in json.loads(path.read_text(encoding="utf-8")):
            if task.get("split") == "test" and any(s["type"] == "copy" and s["parameters"].get("fixture")
                                                   for s in task.get("config", [])):
                return task
    raise AssertionError("the suite has a test task with a fixture")


def test_export_drops_tasks_that_reuse_test_content(tmp_path: Path) -> None:
    test = _test_task_with_fixture()
    copied = dict(test, id="train-copy-of-test", split="train",
                  instruction="Tell me how many lines the file in your home folder has, then stop.")
    task_file = tmp_path / "tasks.json"
    task_file.write_text(json.dumps([copied]), encoding="utf-8")

    store = TrajectoryStore(f"sqlite:///{tmp_path / 'runs.db'}", tmp_path / "artifacts")
    store.upgrade()
    run = store.start_run(RunConfig(env="osworld-lite", agent="model", model="qwen3.5-9b", split="train",
                                    env_options={"screen_width": 320, "screen_height": 200,
                                                 "task_file": str(task_file)}))
    reworded = "please, " + test["instruction"].lower().rstrip(".") + "!!"
    store.upsert_tasks([
        {"env": "osworld-lite", "id": "clean-task", "domain": "writer", "split": "train",
         "instruction": "Type hello world into the open document and save it."},
        {"env": "osworld-lite", "id": "reworded-test", "domain": "writer", "split": "train", "instruction": reworded},
        {"env": "osworld-lite", "id": "train-copy-of-test", "domain": test["domain"], "split": "train",
         "instruction": copied["instruction"]},
    ])
    for task_id in ("clean-task", "reworded-test", "train-copy-of-test"):
        record_qwen_desktop(store, run, task_id, 0)

    guard = LeakGuard()
    out = tmp_path / "out"
    report = export_trajectories(store, ExportOptions(format="swift", out_dir=out), content_guard=guard)
    assert report.episodes == 1
    assert report.skipped == {"reuses test-task content (leak guard)": 2}
    (kept,) = [json.loads(line) for line in (out / "meta" / "episodes.jsonl").read_text().splitlines()]
    assert kept["task_id"] == "clean-task"
    found = json.loads((out / "manifest.json").read_text())["decontamination"]
    assert found["checked"] == 3 and found["leaking_tasks"] == 2
    kinds = " ".join(found["leaks"])
    assert f"reworded-test: instruction (near duplicate) of test task {test['id']}" in kinds
    assert f"train-copy-of-test: file of test task {test['id']}" in kinds
    # The same store exported with --allow-test skips no content check (the user asked for test data).
    again = export_trajectories(store, ExportOptions(format="swift", out_dir=tmp_path / "all", split="all",
                                                     allow_test=True), content_guard=LeakGuard())
    assert again.episodes == 3
