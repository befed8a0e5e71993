"""Generated osworld-lite training tasks: seeded families of desktop tasks.

`generate_tasks(n, seed)` returns `n` tasks spread round-robin over the families (terminal and
files, text editor, Calc, Writer, Chromium, multi-app). Task `k` of family F under seed S has
the id `gen-F-sS-kkkkk` and is a pure function of (F, S, k): its data come from a
`random.Random` seeded with that triple, so any process (a resumed run, a Ray worker, an
export) rebuilds the same task from its id alone (`get_generated_task`). Within a family no
two tasks share an instruction (a repeat is redrawn). Every generated task is in the `train`
split and has a reference solution that drives the GUI like the built-in suite's.

Input and expected files are fixtures named `gen/<task id>/<file>`, served on demand through
`envs.osworld_lite.fixtures.fixture_prefix("gen/", …)` (a name rebuilds its task if this
process has not generated it yet) and written only when used.
`task_content(task)` returns what a decontamination check hashes: the instruction, the bytes of
every file the task puts in HOME, and its expected outputs.
"""
from __future__ import annotations

import random
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from envs.errors import UnknownIdError
from envs.osworld_lite.fixtures import fixture_prefix
from envs.osworld_lite.generated import calc, chromium, editor, multi, terminal, writer
from envs.osworld_lite.generated.base import Ctx, Family, FixtureWriter
from envs.osworld_lite.task import Task, parse_task

FAMILIES: tuple[Family, ...] = (*terminal.FAMILIES, *editor.FAMILIES, *calc.FAMILIES, *writer.FAMILIES,
                                *chromium.FAMILIES, *multi.FAMILIES)
BY_NAME = {f.name: f for f in FAMILIES}
ID_RE = re.compile(r"^gen-(?P<family>[a-z0-9-]+)-s(?P<seed>\d+)-(?P<index>\d{5})$")
MAX_DRAWS = 50  # redraws of one task whose instruction repeats an earlier one of its family
SOURCE = "osworld-lite generated"

_lock = threading.Lock()
_made: dict[tuple[str, int], list[Task]] = {}        # (family, seed) -> its tasks 0..k, in order
_writers: dict[str, FixtureWriter] = {}               # fixture name -> writer, for every task built


def task_id(family: str, seed: int, index: int) -> str:
    return f"gen-{family}-s{seed}-{index:05d}"


def is_generated_id(tid: str) -> bool:
    return ID_RE.match(tid) is not None


def _build(family: Family, seed: int, index: int, seen: set[str]) -> Task:
    tid = task_id(family.name, seed, index)
    for draw in range(MAX_DRAWS):
        rng = random.Random(f"{family.name}|{seed}|{index}|{draw}")
        ctx = Ctx(tid)
        draft = family.build(rng, ctx)
        if draft.instruction not in seen:
            break
    else:  # the family's parameter space is too small for this many tasks: a bug to fix there
        raise RuntimeError(f"family {family.name!r} repeated an instruction {MAX_DRAWS} times at index {index}")
    _writers.update(ctx.fixtures)
    record = {"id": tid, "instruction": draft.instruction, "snapshot": draft.snapshot, "domain": family.domain,
              "split": "train", "source": SOURCE, "related_apps": draft.related_apps, "config": draft.config,
              "evaluator": draft.evaluator, "solution": draft.solution, "family": family.name}
    return parse_task(record, origin=f"generated family {family.name}")


def family_tasks(name: str, seed: int, count: int) -> list[Task]:
    """Tasks 0..count-1 of one family (built once per process, then cached)."""
    if name not in BY_NAME:
        raise UnknownIdError("generated task family", name, BY_NAME)
    if seed < 0 or count < 0:
        raise ValueError("seed and count must not be negative")
    with _lock:
        made = _made.setdefault((name, seed), [])
        seen = {t.instruction for t in made}
        while len(made) < count:
            task = _build(BY_NAME[name], seed, len(made), seen)
            seen.add(task.instruction)
            made.append(task)
        return made[:count]


def generate_tasks(n: int, seed: int = 0, families: list[str] | None = None) -> list[Task]:
    """`n` tasks, round-robin over `families` (default: all): task i is index i // F of family i % F."""
    if n < 0:
        raise ValueError(f"the number of generated tasks must not be negative, got {n}")
    names = families or [f.name for f in FAMILIES]
    for name in names:
        if name not in BY_NAME:
            raise UnknownIdError("generated task family", name, BY_NAME)
    # Family j gets the indexes i < n with i % F == j: ceil((n - j) / F) tasks.
    per = {name: family_tasks(name, seed, (n - j + len(names) - 1) // len(names)) for j, name in enumerate(names)}
    return [per[names[i % len(names)]][i // len(names)] for i in range(n)]


def get_generated_task(tid: str) -> Task:
    """The task with a generated id, rebuilt from the id alone."""
    m = ID_RE.match(tid)
    if m is None or m["family"] not in BY_NAME:
        raise UnknownIdError("generated osworld-lite task", tid, [task_id(f.name, 0, 0) for f in FAMILIES])
    index = int(m["index"])
    return family_tasks(m["family"], int(m["seed"]), index + 1)[index]


def _fixture_writer(name: str) -> FixtureWriter | None:
    """The writer of fixture "gen/<task id>/<file>", building its task first if need be."""
    if name not in _writers:
        tid = name.split("/")[1] if name.count("/") >= 2 else ""
        if not is_generated_id(tid):
            return None
        try:
            get_generated_task(tid)
        except UnknownIdError:
            return None
    return _writers.get(name)


# The files of generated tasks are served on demand, never listed with the suite's fixtures.
fixture_prefix("gen/", _fixture_writer)


def task_content(task: Task) -> dict[str, Any]:
    """What a decontamination check compares: {"instruction": str, "fixture_blobs": {path in
    HOME: bytes} for every file the task's copy steps write, "expected_outputs": [str | bytes]}:
    expected files' bytes (keyed in order of the evaluator) and the rule values the checks
    compare against (JSON text)."""
    import json

    from envs.osworld_lite.fixtures import materialize_fixture

    blobs: dict[str, bytes] = {}
    expected: list[str | bytes] = []
    with tempfile.TemporaryDirectory(prefix="gen-content-") as tmp:
        for n, step in enumerate(task.config):
            if step.type != "copy":
                continue
            dest = Path(tmp) / str(n) / "x"
            step.parameters.materialize(task, dest)
            files = [dest] if dest.is_file() else sorted(p for p in dest.rglob("*") if p.is_file())
            for f in files:
                rel = "" if f == dest else "/" + f.relative_to(dest).as_posix()
                blobs[step.parameters.path + rel] = f.read_bytes()
        for n, spec in enumerate(task.evaluator.expecteds):
            if spec is None:
                continue
            data = spec.as_dict()
            if spec.type == "fixture":
                dest = Path(tmp) / "expected" / str(n) / Path(str(data["fixture"])).name
                expected.append(materialize_fixture(str(data["fixture"]), dest).read_bytes())
            elif spec.type == "rule":
                expected.append(json.dumps(data.get("rules"), sort_keys=True, ensure_ascii=False))
    return {"instruction": task.instruction, "fixture_blobs": blobs, "expected_outputs": expected}
