"""Loading tasks: the built-in suite (tasks/*.json, one file per domain) and users' task files.

`load_task_file(path)` accepts a JSON file holding one task or a list of tasks, or a folder of
such files (searched recursively, in sorted order). Files named by `copy` steps and `fixture`
specs with `"file"` are looked up beside the task file that names them.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from envs.errors import UnknownIdError
from envs.osworld_lite.task import Task, TaskSchemaError, parse_tasks

BUILTIN_DIR = Path(__file__).parent / "tasks"


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise TaskSchemaError(f"{path}: not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})") from None
    except UnicodeDecodeError:
        raise TaskSchemaError(f"{path}: not a UTF-8 text file") from None


def load_task_file(path: str | Path) -> list[Task]:
    """Tasks from a JSON file (one task or a list) or from every *.json file under a folder."""
    root = Path(path).expanduser()
    if not root.exists():
        raise TaskSchemaError(f"task file {root} does not exist")
    files = sorted(p for p in root.rglob("*.json") if p.is_file()) if root.is_dir() else [root]
    if not files:
        raise TaskSchemaError(f"no *.json task files under {root}")
    tasks: list[Task] = []
    seen: dict[str, Path] = {}
    for f in files:
        for task in parse_tasks(_read_json(f), origin=str(f), base_dir=f.parent.resolve()):
            if task.id in seen:
                raise TaskSchemaError(f"duplicate task id {task.id!r} (in {seen[task.id]} and {f})")
            seen[task.id] = f
            tasks.append(task)
    return tasks


@functools.lru_cache(maxsize=1)
def _builtin() -> tuple[Task, ...]:
    return tuple(load_task_file(BUILTIN_DIR))


def load_builtin_tasks() -> list[Task]:
    """The built-in suite (validated once per process)."""
    return list(_builtin())


def load_tasks(task_file: str | Path | None = None, domain: str | None = None) -> list[Task]:
    """The built-in suite, or the tasks of `task_file`; optionally only one domain."""
    tasks = load_task_file(task_file) if task_file else load_builtin_tasks()
    if domain:
        domains = {t.domain for t in tasks}
        if domain not in domains:
            raise UnknownIdError("osworld-lite domain", domain, domains)
        tasks = [t for t in tasks if t.domain == domain]
    return tasks


def get_task(task_id: str, task_file: str | Path | None = None) -> Task:
    tasks = {t.id: t for t in load_tasks(task_file)}
    if task_id not in tasks:
        raise UnknownIdError("osworld-lite task", task_id, tasks)
    return tasks[task_id]
