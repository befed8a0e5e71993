"""Metrics on plain files: text, CSV, JSON, line lists, existence.

`result` (and `expected` where it is a file) is a host path, as the `vm_file` getter returns;
a missing file (None or a path that does not exist) scores 0.
"""
from __future__ import annotations

import io
import os
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
def compare_text_file(result: Any, expected: Any, ignore_blanks: bool = False, ignore_case: bool = False) -> float:
    """OSWorld's: equal file contents; `ignore_blanks` turns tabs/newlines into spaces, strips
    and collapses runs of whitespace; `ignore_case` lower-cases. A final newline counts."""
    if not result:
        return 0.0
    check_size(result)
    check_size(expected)
    with open(result) as f:
        a = f.read()
    with open(expected) as f:
        b = f.read()
    if ignore_blanks:
        a = re.sub(r"\s+", " ", re.sub(r"[\t\n]", " ", a).strip())
        b = re.sub(r"\s+", " ", re.sub(r"[\t\n]", " ", b).strip())
    if ignore_case:
        a, b = a.lower(), b.lower()
    return float(a == b)


@metric("lite_compare_text_file")
def lite_compare_text_file(result: Any, expected: Any = None, ignore_blanks: bool = False,
                           ignore_case: bool = False) -> float:
    """osworld-lite's own: equal contents; `ignore_blanks` drops all whitespace, and without it
    a missing final newline is no difference (editors differ there)."""
    a, b = _path(result), _path(expected)
    if a is None or b is None:
        return 0.0
    ta, tb = _read_text(a), _read_text(b)
    if ta is None or tb is None:
        return 0.0
    if not ignore_blanks:
        ta, tb = ta.rstrip("\n"), tb.rstrip("\n")
    return float(_normalise(ta, ignore_blanks, ignore_case) == _normalise(tb, ignore_blanks, ignore_case))


_ENCODINGS = ("utf-8", "utf-8-sig", "latin-1")


def read_lines_any_encoding(path: str) -> list[str]:
    """The file's lines, decoded as UTF-8 or else Latin-1 (which reads any bytes), as
    OSWorld's table readers do."""
    check_size(path)
    data = Path(path).read_bytes()
    for enc in _ENCODINGS:
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    return io.StringIO(text, newline=None).read().splitlines()


@metric("compare_csv")
def compare_csv(result: Any, expected: Any, strict: bool = True, ignore_case: bool = False) -> float:
    """OSWorld's: the file's raw lines equal those of `expected` (or of one file of a list of
    them); `strict: false` strips each line, `ignore_case` lower-cases. Cells are not parsed."""
    if result is None:
        return 0.0
    try:
        got = read_lines_any_encoding(result)
    except OSError:
        return 0.0
    for candidate in ([expected] if isinstance(expected, str) else expected):
        try:
            want = read_lines_any_encoding(candidate)
        except OSError:
            continue
        a, b = got, want
        if not strict:
            a, b = [x.strip() for x in a], [x.strip() for x in b]
        if ignore_case:
            a, b = [x.lower() for x in a], [x.lower() for x in b]
        if a == b:
            return 1.0
    return 0.0


@metric("lite_check_file_exists", "exists", "file_exists")
def check_file_exists(result: Any, expected: Any = None) -> float:
    """The result file exists (the getter returned a path that is there)."""
    return float(_path(result) is not None)


@metric("check_file_absent", "not_exists")
def check_file_absent(result: Any, expected: Any = None) -> float:
    """The result file does not exist."""
    return float(_path(result) is None)


@metric("check_file_exists")
def check_file_exists(directory: Any, filename: Any) -> float:
    """OSWorld's: `filename` is a regular file inside `directory` (both given by getters)."""
    if not directory or not filename:
        return 0.0
    return float(os.path.isfile(os.path.join(directory, filename)))
