"""Generated osworld-lite tasks: coverage, distinctness, determinism, ids, split and CLI listing.

No desktop here: these check what generation promises (the desktop check is
test_generated_desktop.py and benchmarks/generated_tasks_bench.py).
"""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from envs.osworld_lite.generated import (
    FAMILIES, generate_tasks, get_generated_task, is_generated_id, task_content, task_id,
)
from envs.osworld_lite.suite import load_builtin_tasks

ROOT = Path(__file__).resolve().parents[2]
ZIP_VOLATILE = {"docProps/core.xml"}  # creation timestamps: not content


def blob_hash(data: bytes) -> str:
    """sha256 of a file, over its zip members (bar timestamps) for office files."""
    digest = hashlib.sha256()
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in sorted(set(archive.namelist()) - ZIP_VOLATILE):
                digest.update(name.encode() + b"\0" + archive.read(name) + b"\0")
        return "zip:" + digest.hexdigest()
    return hashlib.sha256(data).hexdigest()


def data_signature(content: dict) -> str:
    """One hash of a task's data: every input file and every expected output."""
    parts = sorted(f"{path}={blob_hash(b)}" for path, b in content["fixture_blobs"].items())
    parts += sorted(blob_hash(x) if isinstance(x, bytes) else hashlib.sha256(x.encode()).hexdigest()
                    for x in content["expected_outputs"])
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@pytest.fixture(scope="module")
def thousand() -> list:
    return generate_tasks(1000, seed=0)


def test_at_least_25_families_over_every_app_area() -> None:
    assert len(FAMILIES) >= 25
    assert len({f.name for f in FAMILIES}) == len(FAMILIES)
    domains = Counter(f.domain for f in FAMILIES)
    assert set(domains) == {"os", "files", "text_editor", "calc", "writer", "chromium", "multi_apps"}
    assert all(n >= 3 for d, n in domains.items() if d != "files"), domains


def test_a_thousand_tasks_are_distinct_in_instruction_and_data(thousand: list) -> None:
    assert len(thousand) == 1000
    assert len({t.id for t in thousand}) == 1000
    assert len({t.instruction for t in thousand}) == 1000
    signatures = [data_signature(task_content(t)) for t in thousand]
    repeated = [s for s, n in Counter(signatures).items() if n > 1]
    assert not repeated, f"{len(repeated)} data signatures repeat"
    per_family = Counter(t.id.rsplit("-s", 1)[0] for t in thousand)
    assert len(per_family) == len(FAMILIES) and min(per_family.values()) >= 1000 // len(FAMILIES)
    # Their files are served on demand, never listed with the suite's fixtures.
    from envs.osworld_lite.fixtures import list_fixtures

    assert not [n for n in list_fixtures() if n.startswith("gen/")]


def test_tasks_are_train_with_gui_solutions_and_stable_ids(thousand: list) -> None:
    for t in thousand[:200]:
        assert t.split == "train" and not t.infeasible and is_generated_id(t.id)
        actions = t.solution_actions()
        assert actions and actions[-1]["action_type"] == "DONE"
        assert any(a["action_type"] in ("TYPING", "HOTKEY", "PRESS") for a in actions)
    assert thousand[0].id == task_id(FAMILIES[0].name, 0, 0) == f"gen-{FAMILIES[0].name}-s0-00000"
    assert thousand[len(FAMILIES) + 1].id == task_id(FAMILIES[1].name, 0, 1)


def test_generation_is_deterministic_across_processes_and_prefix_stable(thousand: list) -> None:
    code = ("import json,sys; from envs.osworld_lite.generated import generate_tasks; "
            "json.dump([t.model_dump(mode='json', exclude={'base_dir'}) for t in generate_tasks(120, seed=0)], sys.stdout)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"}, check=True)
    here = [t.model_dump(mode="json", exclude={"base_dir"}) for t in thousand[:120]]
    assert json.loads(out.stdout) == here
    assert [t.id for t in generate_tasks(37, seed=0)] == [t.id for t in thousand[:37]]
    # Rebuilt from the id alone (a resumed run or a Ray worker does this).
    assert get_generated_task(thousand[777].id) == thousand[777]


def test_every_family_has_room_for_200_distinct_tasks() -> None:
    many = generate_tasks(len(FAMILIES) * 200, seed=5)  # raises if a family runs out of instructions
    assert len({t.instruction for t in many}) == len(many)


def test_seeds_give_other_tasks(thousand: list) -> None:
    other = generate_tasks(len(FAMILIES) * 2, seed=1)
    assert not {t.instruction for t in other} & {t.instruction for t in thousand}
    assert all("-s1-" in t.id for t in other)


def test_no_test_task_instruction_or_input_file_is_reused(thousand: list, tmp_path: Path) -> None:
    tests = [t for t in load_builtin_tasks() if t.split == "test"]
    instructions = {t.instruction for t in tests}
    test_blobs: set[str] = set()
    for task in tests:
        for n, step in enumerate(task.config):
            if step.type == "copy":
                dest = tmp_path / task.id / str(n) / "x"
                step.parameters.materialize(task, dest)
                for f in ([dest] if dest.is_file() else [p for p in dest.rglob("*") if p.is_file()]):
                    test_blobs.add(blob_hash(f.read_bytes()))
    for t in thousand[:300]:
        content = task_content(t)
        assert content["instruction"] not in instructions
        assert not {blob_hash(b) for b in content["fixture_blobs"].values()} & test_blobs, t.id


def test_unknown_ids_and_bad_counts_are_clear_errors() -> None:
    from envs.errors import UnknownIdError

    with pytest.raises(UnknownIdError):
        get_generated_task("gen-calc-sum-everything-s0-00001")
    with pytest.raises(ValueError):
        generate_tasks(-1)


def test_family_lists_and_makes_generated_tasks() -> None:
    from envs.registry import get_family

    family = get_family("osworld-lite")
    listed = family.list_tasks(generated=60, generated_seed=4)
    assert len(listed) == 60 and {t.split for t in listed} == {"train"}
    assert all("-s4-" in t.id and t.has_solution for t in listed)
    calc_only = family.list_tasks(generated=60, generated_seed=4, domain="calc")
    assert calc_only and {t.domain for t in calc_only} == {"calc"}
    env = family.make(listed[5].id, generated=60, generated_seed=4)
    try:
        assert env.unwrapped.task_info.id == listed[5].id
    finally:
        env.close()


def test_cli_lists_generated_tasks() -> None:
    from typer.testing import CliRunner

    from agents.cli import app

    out = CliRunner().invoke(app, ["list", "tasks", "--env", "osworld-lite", "--generated", "40", "--seed", "7", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert len(rows) == 40 and all(r["id"].startswith("gen-") and "-s7-" in r["id"] for r in rows)
    assert {r["split"] for r in rows} == {"train"}
