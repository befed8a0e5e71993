"""Invariants of the built-in suite and of its generated fixtures."""
from __future__ import annotations

import collections
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from envs.osworld_lite.fixtures import list_fixtures, materialize_fixture
from envs.osworld_lite.suite import load_builtin_tasks, load_tasks
from envs.osworld_lite.task import CopyStep, Task

TASKS = load_builtin_tasks()
FEASIBLE = [t for t in TASKS if not t.infeasible]
LOCAL_SPECS = {"rule", "fixture"}


def _specs(task: Task) -> list[dict[str, Any]]:
    ev = task.evaluator
    if task.infeasible:
        return []
    return [s.as_dict() for s in (*ev.results, *ev.expecteds) if s is not None]


def test_size_domains_infeasible_and_splits() -> None:
    domains = collections.Counter(t.domain for t in TASKS)
    assert len(TASKS) >= 60
    assert len(domains) >= 6 and min(domains.values()) >= 5, domains
    assert {"os", "files", "calc", "writer", "text_editor", "chromium", "multi_apps"} <= set(domains)
    assert sum(t.infeasible for t in TASKS) >= 5
    train = sum(t.split == "train" for t in TASKS) / len(TASKS)
    assert 0.5 <= train <= 0.7, train
    for domain in domains:  # both splits in every domain
        assert {t.split for t in TASKS if t.domain == domain} == {"train", "test"}, domain


def test_ids_and_instructions() -> None:
    ids = [t.id for t in TASKS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", i) for i in ids)
    instructions = [t.instruction for t in TASKS]
    assert len(set(instructions)) == len(instructions)
    assert all(len(i) >= 40 and i[0].isupper() for i in instructions)


def test_solutions_end_as_the_task_requires() -> None:
    for t in TASKS:
        actions = t.solution_actions()
        assert actions, t.id
        last = actions[-1]["action_type"]
        assert last == ("FAIL" if t.infeasible else "DONE"), t.id
        assert all(a["action_type"] not in ("DONE", "FAIL") for a in actions[:-1]), t.id


def test_solution_actions_are_valid_for_the_runtime() -> None:
    from envs.osworld_lite import actions
    for t in TASKS:
        for a in t.solution_actions() or []:
            actions.parse_action(a, screen=(1280, 720))  # raises on unknown keys or bad fields


def test_getter_types_are_known() -> None:
    from envs.osworld_lite import getters
    known = set(getters.GETTERS) | LOCAL_SPECS
    for t in FEASIBLE:
        for spec in _specs(t):
            assert spec["type"] in known, (t.id, spec)


def test_referenced_fixtures_exist() -> None:
    names = set(list_fixtures())
    for t in TASKS:
        for step in t.config:
            if isinstance(step, CopyStep):
                assert step.parameters.fixture in names, (t.id, step.parameters.fixture)
        for spec in _specs(t):
            if spec["type"] == "fixture":
                assert spec["fixture"] in names, (t.id, spec)


def test_every_fixture_is_used() -> None:
    used = {s.parameters.fixture for t in TASKS for s in t.config if isinstance(s, CopyStep)}
    used |= {spec["fixture"] for t in TASKS for spec in _specs(t) if spec["type"] == "fixture"}
    assert set(list_fixtures()) - used == set()


def _content(path: Path) -> dict[str, bytes]:
    """File tree → bytes, with zip containers (xlsx, docx) opened and their timestamps dropped."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out: dict[str, bytes] = {}
    for f in files:
        rel = str(f.relative_to(path)) if path.is_dir() else f.name
        if f.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(f) as z:
                for member in z.namelist():
                    if member != "docProps/core.xml":
                        out[f"{rel}!{member}"] = z.read(member)
        elif f.suffixes[-2:] == [".tar", ".gz"]:
            import tarfile

            with tarfile.open(f) as tar:
                for m in tar.getmembers():
                    out[f"{rel}!{m.name}"] = tar.extractfile(m).read() if m.isfile() else b""  # type: ignore[union-attr]
        else:
            out[rel] = f.read_bytes()
    return out


def test_fixtures_are_deterministic(tmp_path: Path) -> None:
    for name in list_fixtures():
        a = materialize_fixture(name, tmp_path / "a" / name)
        b = materialize_fixture(name, tmp_path / "b" / name)
        assert _content(a) == _content(b), name
        assert _content(a), name


def test_domain_filter_and_unknown_domain() -> None:
    assert {t.domain for t in load_tasks(domain="calc")} == {"calc"}
    with pytest.raises(KeyError, match="Did you mean: calc"):
        load_tasks(domain="calcc")
