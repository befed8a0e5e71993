"""Metrics on strings and JSON values (OSWorld's general.py)."""
from __future__ import annotations

import json
import re
from typing import Any

from rapidfuzz import fuzz

from envs.osworld_lite.metrics import metric


def _rules(expected: Any) -> dict[str, Any]:
    if not isinstance(expected, dict):
        raise ValueError(f"expected a rules object, got {type(expected).__name__}")
    return expected


@metric("exact_match")
def exact_match(result: Any, rules: Any = None, **options: Any) -> float:
    """`result == rules["expected"]` (strings compared as given)."""
    if result is None:
        return 0.0
    return float(result == _rules(rules)["expected"])


@metric("is_in_list")
def is_in_list(result: Any, rules: Any = None, **options: Any) -> float:
    """`rules["expected"]` is one of the items of `result` (a list)."""
    if result is None:
        return 0.0
    return float(_rules(rules)["expected"] in result)


@metric("fuzzy_match")
def fuzzy_match(result: Any, rules: Any = None, **options: Any) -> float:
    """Similarity ratio in [0, 1] between `result` and `rules["expected"]` (not thresholded)."""
    if result is None:
        return 0.0
    return fuzz.ratio(str(result), str(_rules(rules)["expected"])) / 100.0


@metric("literal_match")
def literal_match(result: Any, expected: Any = None, **options: Any) -> float:
    """Literal equality; options `type` ("str" or "list") and `ignore_case`."""
    if result is None:
        return 0.0
    kind = options.get("type", "str")
    ignore_case = bool(options.get("ignore_case", False))
    if kind == "str":
        a, b = str(result), str(expected)
        return float(a.lower() == b.lower() if ignore_case else a == b)
    if kind == "list":
        if not isinstance(result, list | tuple) or not isinstance(expected, list | tuple):
            return 0.0
        if ignore_case:
            return float([str(x).lower() for x in result] == [str(x).lower() for x in expected])
        return float(list(result) == list(expected))
    raise ValueError(f"literal_match: unknown type {kind!r} (str or list)")


@metric("check_include_exclude")
def check_include_exclude(result: Any, rules: Any = None, **options: Any) -> float:
    """Every `include` string occurs in `result` and no `exclude` string does."""
    if result is None:
        return 0.0
    text, r = str(result), _rules(rules)
    ok = all(s in text for s in r.get("include", [])) and not any(s in text for s in r.get("exclude", []))
    return float(ok)


def _json_value(result: Any) -> Any:
    if isinstance(result, str | bytes):
        try:
            return json.loads(result)
        except json.JSONDecodeError:
            return None
    return result


@metric("check_direct_json_object")
def check_direct_json_object(result: Any, rules: Any = None, **options: Any) -> float:
    """Compare a JSON object with `rules["expected"]` key by key.

    With `expect_in_result`, each expected value must be contained in the result's value
    (substring for strings, any-of for lists); otherwise values must be equal. Values compare
    after `.strip()` for strings, as OSWorld does for command output.
    """
    obj = _json_value(result)
    if not isinstance(obj, dict):
        return 0.0
    r = _rules(rules)
    expected: dict[str, Any] = r["expected"]
    contains = bool(r.get("expect_in_result", False))
    for key, want in expected.items():
        if key not in obj:
            return 0.0
        got = obj[key]
        if isinstance(got, str):
            got = got.strip()
        if contains:
            if isinstance(want, list):
                if not any(str(w) in str(got) for w in want):
                    return 0.0
            elif str(want) not in str(got):
                return 0.0
        elif got != want:
            return 0.0
    return 1.0


@metric("match_regex", "check_regex")
def match_regex(result: Any, rules: Any = None, **options: Any) -> float:
    """`result` matches the regular expression `rules["pattern"]` (re.search; flags `ignore_case`)."""
    if result is None:
        return 0.0
    r = _rules(rules)
    flags = re.IGNORECASE if r.get("ignore_case") else 0
    return float(re.search(r["pattern"], str(result), flags) is not None)


@metric("check_line_number", "count_lines")
def check_line_number(result: Any, rules: Any = None, **options: Any) -> float:
    """The text `result` has exactly `rules["expected"]` non-empty lines."""
    if result is None:
        return 0.0
    lines = [ln for ln in str(result).splitlines() if ln.strip()]
    return float(len(lines) == int(_rules(rules)["expected"]))
