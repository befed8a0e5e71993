"""OSWorld's value rules: `{"method": …, "ref": …}` as its spreadsheet, JSON and settings
metrics apply them (`re[.FLAG…]`, eq/ne/le/lt/ge/gt, `approx:TOL`, `spreadsheet_range`,
`range.XY`, `str_list_eq`/`str_set_eq`)."""
from __future__ import annotations

import functools
import operator
import re
from typing import Any


def match_record(pattern: dict[str, Any], record: dict[str, Any]) -> bool:
    return all(k in record and record[k] == v for k, v in pattern.items())


def match_value_to_rule(value: Any, rule: dict[str, Any]) -> bool:
    method: str = rule["method"]
    if method.startswith("re"):
        flags = functools.reduce(operator.or_, (getattr(re, f) for f in method.split(".")[1:]), re.RegexFlag(0))
        return re.search(rule["ref"], value, flags) is not None
    if method in ("eq", "ne", "le", "lt", "ge", "gt"):
        return bool(getattr(operator, method)(value, rule["ref"]))
    if method.startswith("approx"):
        tolerance = float(method.split(":")[1])
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        return abs(number - rule["ref"]) <= tolerance
    if method == "spreadsheet_range":
        from openpyxl.worksheet.cell_range import MultiCellRange

        low, high = MultiCellRange(rule["ref"][0]), MultiCellRange(rule["ref"][1])
        return all(r in value for r in low) and all(r in high for r in value)
    if method.startswith("range."):   # range.te [0, 2]: 0 < x <= 2
        left, right = method[6], method[7]
        return bool(getattr(operator, "l" + left)(rule["ref"][0], value)
                    and getattr(operator, "l" + right)(value, rule["ref"][1]))
    if method in ("str_list_eq", "str_set_eq"):
        kind = list if method == "str_list_eq" else set
        return kind(value.strip("\"'").split(",")) == kind(rule["ref"])
    raise ValueError(f"unknown match method {method!r}")
