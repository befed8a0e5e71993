"""`lite_compare_table`: osworld-lite's own spreadsheet metric, modelled on OSWorld's
`compare_table` (which `osworld_table.py` implements with OSWorld's semantics) but with its own
cell comparison (values read by openpyxl, numbers equal to 1e-9 unless `precision`), its own
check_cell methods (str_eq, str_ieq, contains) and a default without rules.

`lite_compare_table(result, expected=None, rules=[...])` scores 1 when every rule holds. Sheets are
named as in OSWorld: "RI0" (result, sheet index 0), "RNSales" (result, sheet named Sales),
"EI0" / "ENSales" for the expected workbook. Supported rules:

* `sheet_name`: both workbooks have the same sheet names, in order.
* `sheet_data` (`sheet_idx0`, `sheet_idx1`, optional `precision`): same cell values
  (formulas compared by their cached values, trailing empty rows/columns ignored).
* `check_cell` (`sheet_idx`, `coordinate`, `props`: {"value": {"method": "eq"|"ne"|"approx:N"|
  "str_eq"|"contains"|"re"|"ge"|"le", "ref": …}, "formula": {...}, "bold": {...},
  "number_format": {...}}).
* `freeze` (`sheet_idx0`, `sheet_idx1`): same frozen panes.
* `sheet_count`: the result has `count` sheets.

Without rules, the result must equal the expected workbook sheet by sheet (names and data).
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.safe_files import RefusedFileError, check_archive


class _Missing(LookupError):
    """The result lacks a sheet the rule names: the agent's failure, not a task error."""


class _Books:
    """Result/expected workbooks, loaded once each with values and once with formulas."""

    def __init__(self, result: str, expected: str | None):
        self.paths = {"R": result, "E": expected}
        self._cache: dict[tuple[str, bool], Workbook] = {}
        self._checked: set[str] = set()

    def book(self, which: str, formulas: bool = False) -> Workbook:
        key = (which, formulas)
        if key not in self._cache:
            path = self.paths[which]
            if path is None:
                raise ValueError("this rule needs an expected workbook")
            if which not in self._checked:
                check_archive(path)
                self._checked.add(which)
            self._cache[key] = openpyxl.load_workbook(path, data_only=not formulas)
        return self._cache[key]

    def sheet(self, idx: str, formulas: bool = False) -> Worksheet:
        which, how, ref = idx[0], idx[1], idx[2:]
        if which not in "RE" or how not in "IN":
            raise ValueError(f"unrecognised sheet index {idx!r} (RI0, RNname, EI0, ENname)")
        wb = self.book(which, formulas)
        try:
            return wb.worksheets[int(ref)] if how == "I" else wb[ref]
        except (IndexError, KeyError):
            raise _Missing(idx) from None


def _values(ws: Worksheet) -> list[list[Any]]:
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    rows = [[None if (isinstance(v, str) and v == "") else v for v in row] for row in rows]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, v in enumerate(r) if v is not None), default=0) for r in rows), default=0)
    return [list(r[:width]) + [None] * (width - len(r)) for r in rows]


def _same(a: Any, b: Any, precision: int | None) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        if precision is not None:
            return round(a, precision) == round(b, precision)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _check(value: Any, method: str, ref: Any) -> bool:
    if method == "eq":
        return _same(value, ref, None)
    if method == "ne":
        return not _same(value, ref, None)
    if method.startswith("approx:"):
        tol = float(method.split(":", 1)[1])
        try:
            return abs(float(value) - float(ref)) <= tol
        except (TypeError, ValueError):
            return False
    if method == "str_eq":
        return str(value).strip() == str(ref)
    if method == "str_ieq":
        return str(value).strip().lower() == str(ref).lower()
    if method == "contains":
        return str(ref) in str(value)
    if method == "re":
        return re.search(str(ref), str(value)) is not None
    if method in ("ge", "le", "gt", "lt"):
        try:
            v, r = float(value), float(ref)
        except (TypeError, ValueError):
            return False
        return {"ge": v >= r, "le": v <= r, "gt": v > r, "lt": v < r}[method]
    raise ValueError(f"check_cell: unknown method {method!r}")


def _cell_prop(books: _Books, sheet_idx: str, coord: str, prop: str) -> Any:
    if prop == "value":
        return books.sheet(sheet_idx)[coord].value
    cell = books.sheet(sheet_idx, formulas=True)[coord]
    if prop == "formula":
        v = cell.value
        return v if isinstance(v, str) and v.startswith("=") else None
    if prop == "bold":
        return bool(cell.font and cell.font.b)
    if prop == "italic":
        return bool(cell.font and cell.font.i)
    if prop == "number_format":
        return cell.number_format
    if prop == "fill_color":
        return cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None
    raise ValueError(f"check_cell: unknown property {prop!r}")


def _rule(books: _Books, r: dict[str, Any]) -> bool:
    kind = r.get("type")
    if kind == "sheet_name":
        return books.book("R").sheetnames == books.book("E").sheetnames
    if kind == "sheet_count":
        return len(books.book("R").sheetnames) == int(r["count"])
    if kind in ("sheet_data", "sheet_print"):
        a, b = _values(books.sheet(r["sheet_idx0"])), _values(books.sheet(r["sheet_idx1"]))
        prec = r.get("precision")
        return len(a) == len(b) and all(
            len(ra) == len(rb) and all(_same(x, y, prec) for x, y in zip(ra, rb)) for ra, rb in zip(a, b))
    if kind == "check_cell":
        for prop, spec in r["props"].items():
            got = _cell_prop(books, r["sheet_idx"], r["coordinate"], prop)
            if not _check(got, spec.get("method", "eq"), spec.get("ref")):
                return False
        return True
    if kind == "freeze":
        a = books.sheet(r["sheet_idx0"], formulas=True).freeze_panes
        b = books.sheet(r["sheet_idx1"], formulas=True).freeze_panes
        return a == b
    raise ValueError(f"compare_table: unsupported rule type {kind!r}")


@metric("lite_compare_table")
def compare_table(result: Any, expected: Any = None, **options: Any) -> float:
    if result is None or not Path(result).exists():
        return 0.0
    books = _Books(str(result), None if expected is None else str(expected))
    try:
        books.book("R")
    except RefusedFileError:
        raise
    except Exception:  # not a workbook (wrong format saved, corrupt file): the agent's failure
        return 0.0
    rules = options.get("rules")
    if not rules:
        if expected is None:
            raise ValueError("compare_table without rules needs an expected workbook")
        names = books.book("E").sheetnames
        rules = [{"type": "sheet_name"}] + [
            {"type": "sheet_data", "sheet_idx0": f"RI{i}", "sheet_idx1": f"EI{i}"} for i in range(len(names))]
    for r in rules:
        try:
            if not _rule(books, r):
                return 0.0
        except _Missing:
            return 0.0
    return 1.0
