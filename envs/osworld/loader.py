"""Finding OSWorld's task files: an `evaluation_examples` folder or single task files.

`--osworld-dir DIR` (default: the OSWORLD_DIR variable) is OSWorld's `evaluation_examples`
folder: `test_all.json` maps each domain to its task ids and `examples/<domain>/<id>.json` holds
each task. Every id that `test_all.json` lists must have its file; files that it does not list
are not part of the test set and are left out (as OSWorld's own runner does). Without
`test_all.json`, every `examples/<domain>/*.json` is a task.

`--task-file PATH` names one task file, or a folder searched recursively; a task's domain is
the name of the folder that holds its file (OSWorld's layout).
"""
from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from envs.errors import UnknownIdError
from envs.osworld.task import OSWorldTask, TaskLoadError, parse_task

OSWORLD_DIR_ENV = "OSWORLD_DIR"


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise TaskLoadError(f"{path}: not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})") from None
    except UnicodeDecodeError:
        raise TaskLoadError(f"{path}: not a UTF-8 text file") from None


def resolve_dir(osworld_dir: str | Path | None) -> Path:
    """The evaluation_examples folder from the option or OSWORLD_DIR, checked."""
    given = osworld_dir or os.environ.get(OSWORLD_DIR_ENV)
    if not given:
        raise TaskLoadError("no OSWorld tasks given: pass --osworld-dir DIR (OSWorld's evaluation_examples "
                            f"folder) or --task-file PATH, or set {OSWORLD_DIR_ENV}")
    root = Path(given).expanduser().resolve()
    if (root / "evaluation_examples" / "examples").is_dir():
        root = root / "evaluation_examples"  # the checkout's root was given
    if not (root / "examples").is_dir():
        raise TaskLoadError(f"{root} is not OSWorld's evaluation_examples folder (it has no examples/ folder)")
    return root


def load_examples(root: Path) -> list[OSWorldTask]:
    index = root / "test_all.json"
    tasks: list[OSWorldTask] = []
    if index.is_file():
        listing = _read(index)
        if not isinstance(listing, dict):
            raise TaskLoadError(f"{index}: expected an object mapping each domain to its task ids")
        for domain, ids in listing.items():
            if not isinstance(ids, list):
                raise TaskLoadError(f"{index}: domain {domain!r} must list task ids")
            for task_id in ids:
                path = root / "examples" / str(domain) / f"{task_id}.json"
                if not path.is_file():
                    raise TaskLoadError(f"{index} lists task {task_id!r} of domain {domain!r}, but {path} is missing")
                tasks.append(_one(path, str(domain)))
    else:
        for path in sorted((root / "examples").glob("*/*.json")):
            tasks.append(_one(path, path.parent.name))
    return _unique(tasks)


def load_task_files(path: str | Path) -> list[OSWorldTask]:
    root = Path(path).expanduser().resolve()
    if not root.exists():
        raise TaskLoadError(f"task file {root} does not exist")
    files = sorted(p for p in root.rglob("*.json") if p.is_file() and p.name != "test_all.json") \
        if root.is_dir() else [root]
    if not files:
        raise TaskLoadError(f"no *.json task files under {root}")
    tasks: list[OSWorldTask] = []
    for f in files:
        data = _read(f)
        for item in data if isinstance(data, list) else [data]:
            tasks.append(parse_task(item, origin=str(f), domain=f.parent.name))
    return _unique(tasks)


def _one(path: Path, domain: str) -> OSWorldTask:
    return parse_task(_read(path), origin=str(path), domain=domain)


def _unique(tasks: list[OSWorldTask]) -> list[OSWorldTask]:
    seen: dict[str, str] = {}
    for t in tasks:
        if t.id in seen:
            raise TaskLoadError(f"duplicate task id {t.id!r} (in {seen[t.id]} and {t.origin})")
        seen[t.id] = t.origin
    return tasks


@functools.lru_cache(maxsize=8)
def _cached(source: str, is_task_file: bool, stamp: float) -> tuple[OSWorldTask, ...]:
    # `stamp` (the source's mtime) makes an edited folder load afresh.
    return tuple(load_task_files(source) if is_task_file else load_examples(Path(source)))


def load_tasks(osworld_dir: str | Path | None = None, task_file: str | Path | None = None,
               domain: str | None = None) -> list[OSWorldTask]:
    """The tasks of `task_file` if given, else of the evaluation_examples folder; optionally one domain."""
    source = Path(task_file) if task_file else resolve_dir(osworld_dir)
    stamp = source.stat().st_mtime if source.exists() else 0.0
    tasks = list(_cached(str(source), bool(task_file), stamp))
    if domain:
        domains = sorted({t.domain for t in tasks})
        if domain not in domains:
            raise UnknownIdError("osworld domain", domain, domains)
        tasks = [t for t in tasks if t.domain == domain]
    return tasks


def get_task(task_id: str, osworld_dir: str | Path | None = None, task_file: str | Path | None = None) -> OSWorldTask:
    tasks = {t.id: t for t in load_tasks(osworld_dir, task_file)}
    if task_id not in tasks:
        raise UnknownIdError("osworld task", task_id, tasks)
    return tasks[task_id]
