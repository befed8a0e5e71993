"""Metrics on plain files: text, CSV, JSON, line lists, existence.

`result` (and `expected` where it is a file) is a host path, as the `vm_file` getter returns;
a missing file (None or a path that does not exist) scores 0.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.safe_files import check_size


def _path(value: Any) -> Path | None:
    if value is None or value == "":
        return None
    p = Path(value)
    return p if p.exists() else None


def _read_text(path: Path) -> str | None:
    if path.is_dir():
        return None
    check_size(path)
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, IsADirectoryError):
        return None


def _result_text(value: Any) -> str | None:
    """The text of the file at `value`; None when it is missing, a folder or not UTF-8."""
    path = _path(value)
    return None if path is None else _read_text(path)


def _normalise(text: str, ignore_blanks: bool, ignore_case: bool) -> str:
    if ignore_blanks:
        text = re.sub(r"[\t\n ]+", "", text)
    if ignore_case:
        text = text.lower()
    return text


@metric("compare_text_file")
def compare_text_file(result: Any, expected: Any = None, **options: Any) -> float:
    """Equal file contents; options `ignore_blanks` (drop all whitespace), `ignore_case`.

    Without `ignore_blanks` a missing final newline is not a difference (editors differ there).
    """
    a, b = _path(result), _path(expected)
    if a is None or b is None:
        return 0.0
    ta, tb = _read_text(a), _read_text(b)
    if ta is None or tb is None:
        return 0.0
    blanks, case = bool(options.get("ignore_blanks", False)), bool(options.get("ignore_case", False))
    if not blanks:
        ta, tb = ta.rstrip("\n"), tb.rstrip("\n")
    return float(_normalise(ta, blanks, case) == _normalise(tb, blanks, case))


@metric("compare_csv")
def compare_csv(result: Any, expected: Any = None, **options: Any) -> float:
    """Same CSV rows (cells stripped); options `ignore_case`, `ignore_order` (of rows)."""
    a, b = _path(result), _path(expected)
    if a is None or b is None:
        return 0.0

    def rows(p: Path) -> list[list[str]]:
        text = _read_text(p) or ""
        out = [[c.strip() for c in row] for row in csv.reader(text.splitlines()) if any(c.strip() for c in row)]
        if options.get("ignore_case"):
            out = [[c.lower() for c in row] for row in out]
        return sorted(out) if options.get("ignore_order") else out

    return float(rows(a) == rows(b))


def _match_record(pattern: dict[str, Any], record: dict[str, Any]) -> bool:
    return all(k in record and str(record[k]).strip() == str(v) for k, v in pattern.items())


@metric("check_csv")
def check_csv(result: Any, rules: Any = None, **options: Any) -> float:
    """Each `rules["expect"]` row pattern (a dict) matches some CSV row; no `unexpect` one does."""
    text = _result_text(result)
    if text is None:
        return 0.0
    records = list(csv.DictReader(text.splitlines()))
    expect = (rules or {}).get("expect", [])
    unexpect = (rules or {}).get("unexpect", [])
    found = all(any(_match_record(p, r) for r in records) for p in expect)
    clean = not any(_match_record(p, r) for p in unexpect for r in records)
    return float(found and clean)


@metric("check_list")
def check_list(result: Any, rules: Any = None, **options: Any) -> float:
    """Each `rules["expect"]` regex matches some line of the file; no `unexpect` regex matches any."""
    text = _result_text(result)
    if text is None:
        return 0.0
    lines = text.splitlines()
    expect = [re.compile(p) for p in (rules or {}).get("expect", [])]
    unexpect = [re.compile(p) for p in (rules or {}).get("unexpect", [])]
    found = all(any(p.search(ln) for ln in lines) for p in expect)
    clean = not any(p.search(ln) for p in unexpect for ln in lines)
    return float(found and clean)


def _dig(obj: Any, keys: list[Any]) -> Any:
    for k in keys:
        obj = obj[k]
    return obj


@metric("check_json")
def check_json(result: Any, rules: Any = None, **options: Any) -> float:
    """JSON file checks: `rules["expect"]` / `["unexpect"]` items {"key": [path…], "method": "eq"|"ne"|"re"|"in", "ref": …}."""
    text = _result_text(result)
    if text is None:
        return 0.0
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return 0.0

    def holds(item: dict[str, Any]) -> bool:
        keys = item["key"] if isinstance(item["key"], list) else [item["key"]]
        try:
            value = _dig(data, keys)
        except (KeyError, IndexError, TypeError):
            return False
        method, ref = item.get("method", "eq"), item.get("ref")
        if method == "eq":
            return value == ref
        if method == "ne":
            return value != ref
        if method == "re":
            return re.search(str(ref), str(value)) is not None
        if method == "in":
            return value in ref
        raise ValueError(f"check_json: unknown method {method!r}")

    r = rules or {}
    return float(all(holds(i) for i in r.get("expect", [])) and not any(holds(i) for i in r.get("unexpect", [])))


@metric("check_file_exists", "exists", "file_exists")
def check_file_exists(result: Any, expected: Any = None, **options: Any) -> float:
    """The result file exists (the getter returned a path that is there)."""
    return float(_path(result) is not None)


@metric("check_file_absent", "not_exists")
def check_file_absent(result: Any, expected: Any = None, **options: Any) -> float:
    """The result file does not exist."""
    return float(_path(result) is None)
