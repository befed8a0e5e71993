"""Loading OSWorld's own task files: the shared 296, test_all.json, task files, lenient steps."""
from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import pytest

from envs.errors import UnknownIdError
from envs.osworld.loader import load_examples, load_task_files, load_tasks, resolve_dir
from envs.osworld.task import TaskLoadError
from tests.osworld.conftest import task, write_task
from tests.support.paths import REPO_ROOT

# The shared folder's README: tasks per domain.
SHARED_COUNTS = {"chrome": 37, "gimp": 21, "libreoffice_calc": 38, "libreoffice_impress": 38,
                 "libreoffice_writer": 18, "multi_apps": 81, "os": 19, "thunderbird": 12, "vlc": 14,
                 "vs_code": 18}


def test_every_shared_task_loads_with_osworld_ids_and_domains(osworld_dir: Path) -> None:
    tasks = load_examples(resolve_dir(osworld_dir))
    assert len(tasks) == 296
    assert collections.Counter(t.domain for t in tasks) == SHARED_COUNTS
    listing = json.loads((osworld_dir / "test_all.json").read_text())
    assert [t.id for t in tasks] == [i for ids in listing.values() for i in ids]
    sample = next(t for t in tasks if t.id == "030eeff7-b492-4218-b312-701ec99ee0cc")
    assert sample.domain == "chrome" and sample.evaluator.funcs and sample.config


def test_list_tasks_json_gives_runnable_and_blockers_for_all(osworld_dir: Path, tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "agents", "list", "tasks", "--env", "osworld", "--osworld-dir",
                          str(osworld_dir), "--assets", str(tmp_path / "empty-cache"), "--json"],
                         capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 296 and {r["env"] for r in rows} == {"osworld"}
    for row in rows:
        assert isinstance(row["runnable"], bool) and isinstance(row["blockers"], list)
        assert row["runnable"] == (not row["blockers"])
    # With an empty cache, every task that downloads something says how many files it lacks.
    downloading = [r for r in rows if any("assets missing" in b for b in r["blockers"])]
    assert len(downloading) > 200
    assert all(not r["runnable"] for r in downloading)


def test_osworld_dir_from_environment_and_checkout_root(osworld_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSWORLD_DIR", str(osworld_dir))
    assert resolve_dir(None) == osworld_dir.resolve()
    checkout = tmp_path / "OSWorld"
    (checkout / "evaluation_examples").mkdir(parents=True)
    (checkout / "evaluation_examples" / "examples").symlink_to(osworld_dir / "examples")
    assert resolve_dir(checkout) == (checkout / "evaluation_examples").resolve()
    monkeypatch.delenv("OSWORLD_DIR")
    with pytest.raises(TaskLoadError, match="--osworld-dir"):
        resolve_dir(None)
    with pytest.raises(TaskLoadError, match="no examples/ folder"):
        resolve_dir(tmp_path)


def test_test_all_listing_a_missing_file_fails_naming_it(tmp_path: Path) -> None:
    write_task(tmp_path / "examples", "os", task("a"))
    (tmp_path / "test_all.json").write_text(json.dumps({"os": ["a", "b"]}))
    with pytest.raises(TaskLoadError, match="'b' of domain 'os'"):
        load_examples(tmp_path)


def test_files_outside_test_all_are_not_tasks_and_no_index_means_every_file(tmp_path: Path) -> None:
    write_task(tmp_path / "examples", "os", task("a"))
    write_task(tmp_path / "examples", "vlc", task("extra"))
    (tmp_path / "test_all.json").write_text(json.dumps({"os": ["a"]}))
    assert [t.id for t in load_examples(tmp_path)] == ["a"]
    (tmp_path / "test_all.json").unlink()
    assert sorted((t.id, t.domain) for t in load_examples(tmp_path)) == [("a", "os"), ("extra", "vlc")]


def test_task_file_and_folder_domain_from_folder_name(tmp_path: Path) -> None:
    path = write_task(tmp_path, "libreoffice_calc", task("one"))
    write_task(tmp_path, "gimp", task("two"))
    assert [(t.id, t.domain) for t in load_task_files(path)] == [("one", "libreoffice_calc")]
    assert sorted(t.id for t in load_tasks(task_file=tmp_path)) == ["one", "two"]
    assert [t.id for t in load_tasks(task_file=tmp_path, domain="gimp")] == ["two"]
    with pytest.raises(UnknownIdError, match="vlc"):
        load_tasks(task_file=tmp_path, domain="vlc")


def test_what_this_runtime_lacks_loads_and_what_is_no_task_fails(tmp_path: Path) -> None:
    odd = task("odd", config=[{"type": "tidy_desktop", "parameters": {}},
                              {"type": "download", "parameters": {"files": "not a list"}},
                              {"type": "googledrive", "parameters": {"settings_file": "x"}}],
               evaluator={"func": "no_such_metric", "result": {"type": "no_such_getter"}})
    (loaded,) = load_task_files(write_task(tmp_path, "os", odd))
    assert [s.problem is not None for s in loaded.config] == [True, True, False]
    bad = tmp_path / "bad" / "os" / "x.json"
    bad.parent.mkdir(parents=True)
    bad.write_text(json.dumps({"id": "x", "config": []}))
    with pytest.raises(TaskLoadError, match=r"'x'.*instruction"):
        load_task_files(bad)
    bad.write_text("{not json")
    with pytest.raises(TaskLoadError, match="not valid JSON"):
        load_task_files(bad)


def test_duplicate_ids_fail(tmp_path: Path) -> None:
    write_task(tmp_path, "os", task("same"))
    write_task(tmp_path, "vlc", task("same"))
    with pytest.raises(TaskLoadError, match="duplicate task id 'same'"):
        load_task_files(tmp_path)
