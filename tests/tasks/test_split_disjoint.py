"""Train and test tasks share no input content and no instruction.

osworld-lite's built-in suite: every file a task's `copy` config steps put in the episode's HOME
(fixtures and files beside the task file) is materialised and hashed by content; no hash may
belong to both a train and a test task. Office files (xlsx, docx) are hashed over their zip
members without docProps/core.xml (its timestamps change on every generation), tar archives
over their members' names and bytes. card_services: the DB records a task's gold actions name
and the customer the simulated user is (found by the email or phone in its known info) are
never those of a task in the other split.

The test split is the frozen benchmark: an overlap is removed by giving the train task its own
content (fixtures, phrasing), never by changing a test task.
"""
from __future__ import annotations

import hashlib
import io
import tarfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from envs.osworld_lite.suite import load_builtin_tasks
from envs.tau2_lite.domains.card_services import canonical_db, generate_train_tasks, load_test_set
from envs.tau2_lite.domains.card_services.domain import DEFAULT_TRAIN_SEED, DEFAULT_TRAIN_TASKS

ZIP_VOLATILE = {"docProps/core.xml"}


def content_hash(path: Path) -> str:
    """sha256 of a file's content, blind to the timestamps that archives carry."""
    data = path.read_bytes()
    digest = hashlib.sha256()
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in sorted(set(archive.namelist()) - ZIP_VOLATILE):
                digest.update(name.encode() + b"\0" + archive.read(name) + b"\0")
        return "zip:" + digest.hexdigest()
    if path.name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            for member in sorted(archive.getmembers(), key=lambda m: m.name):
                handle = archive.extractfile(member) if member.isfile() else None
                digest.update(member.name.encode() + b"\0" + (handle.read() if handle else b"") + b"\0")
        return "tar:" + digest.hexdigest()
    return hashlib.sha256(data).hexdigest()


def _files(root: Path) -> Iterable[Path]:
    return [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())


def _split_overlaps(owners: dict[Any, set[tuple[str, str]]]) -> dict[Any, set[tuple[str, str]]]:
    """The entries of `owners` ({key: {(split, task_id)}}) held by both a train and a test task."""
    return {k: v for k, v in owners.items() if {"train", "test"} <= {split for split, _ in v}}


def test_osworld_train_and_test_tasks_get_no_common_file(tmp_path: Path) -> None:
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)
    tasks = load_builtin_tasks()
    for task in tasks:
        for n, step in enumerate(task.config):
            if step.type != "copy":
                continue
            dest = tmp_path / task.id / str(n) / Path(step.parameters.path).name
            step.parameters.materialize(task, dest)
            source = step.parameters.fixture or step.parameters.file
            files = list(_files(dest))
            assert files, (task.id, source)
            for f in files:
                digest = content_hash(f)
                owners[digest].add((task.split, task.id))
                sources[digest].add(source)
    assert {t.split for t in tasks} == {"train", "test"}
    # Group the overlaps by the copy-step sources that carry them (one entry per fixture).
    found: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for digest, held_by in _split_overlaps(owners).items():
        found[tuple(sorted(sources[digest]))] |= {task_id for _, task_id in held_by}
    assert dict(found) == {}


def test_osworld_train_and_test_instructions_differ() -> None:
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for task in load_builtin_tasks():
        owners[" ".join(task.instruction.split())].add((task.split, task.id))
    assert _split_overlaps(owners) == {}


def _card_tasks() -> list[tuple[str, dict[str, Any]]]:
    return [("test", t) for t in load_test_set()] + \
        [("train", t) for t in generate_train_tasks(DEFAULT_TRAIN_TASKS, DEFAULT_TRAIN_SEED)]


def test_card_services_splits_touch_no_common_record() -> None:
    db = canonical_db()
    tables = {key: table for table, records in db.model_dump().items() if isinstance(records, dict)
              for key in records}
    contacts = {c.email: cid for cid, c in db.customers.items()} | {c.phone: cid for cid, c in db.customers.items()}
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for split, task in _card_tasks():
        known = task["user_scenario"]["instructions"]["known_info"]
        refs = {cid for contact, cid in contacts.items() if contact in known}
        refs |= {v for a in task["evaluation_criteria"]["actions"] for v in a["arguments"].values()
                 if isinstance(v, str) and v in tables}
        assert refs, (task["id"], "names no customer or record")
        for ref in refs:
            owners[ref].add((split, task["id"]))
    assert _split_overlaps(owners) == {}


def test_card_services_train_and_test_instructions_differ() -> None:
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for split, task in _card_tasks():
        owners[task["user_scenario"]["instructions"]["reason_for_call"]].add((split, task["id"]))
    found = {text: {task_id for _, task_id in held_by} for text, held_by in _split_overlaps(owners).items()}
    assert found == {}
    # Whole scenarios (who calls, what they know, how they behave) are never shared.
    scenarios: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for split, task in _card_tasks():
        scenarios[repr(sorted(task["user_scenario"]["instructions"].items()))].add((split, task["id"]))
    assert _split_overlaps(scenarios) == {}
