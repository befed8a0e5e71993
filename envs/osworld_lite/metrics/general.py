"""Metrics on strings, JSON values, line lists and records (OSWorld's general.py).

Each behaves as OSWorld's function of the same name, odd corners included (they decide
scores): e.g. `check_direct_json_object` turns every ' into " before parsing a string result,
and `check_line_number` counts the lines holding a hh:mm:ss time, not all lines.
"""
from __future__ import annotations

import csv
import difflib
import json
import re
import sqlite3
from typing import Any

import yaml
from lxml import etree
from rapidfuzz import fuzz

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.matching import match_record, match_value_to_rule
from envs.osworld_lite.metrics.safe_files import MAX_TEXT_BYTES, check_size


def _open_text(path: str) -> str:
    check_size(path, MAX_TEXT_BYTES)
    with open(path, encoding="utf-8", newline=None) as f:
        return f.read()


@metric("exact_match")
def exact_match(result: Any, rules: dict[str, Any]) -> float:
    return float(result == rules["expected"])


@metric("match_in_list")
def match_in_list(result: Any, rules: dict[str, Any]) -> float:
    """`result` is one of `rules["expected"]`."""
    return float(result in rules["expected"])


@metric("is_in_list")
def is_in_list(result: Any, rules: dict[str, Any]) -> float:
    """`rules["expected"]` is in `result` (a list, or a substring of a string)."""
    return float(rules["expected"] in result)


@metric("literal_match")
def literal_match(result: Any, expected: Any, type: str = "str", ignore_case: bool = False) -> float:  # noqa: A002
    """Literal equality as strings (`type` "str") or as lists of strings (`type` "list")."""
    if type == "str":
        a, b = str(result), str(expected)
        return float(a.lower() == b.lower() if ignore_case else a == b)
    if type == "list":
        if not isinstance(result, list | tuple) or not isinstance(expected, list | tuple) or len(result) != len(expected):
            return 0.0
        norm = (lambda s: str(s).lower()) if ignore_case else str
        return float([norm(x) for x in result] == [norm(x) for x in expected])
    raise ValueError(f"literal_match: unknown type {type!r} (str or list)")


@metric("fuzzy_match")
def fuzzy_match(result: Any, rules: dict[str, Any]) -> float:
    """Similarity ratio in [0, 1] between `result` and `rules["expected"]` (not thresholded)."""
    return fuzz.ratio(result, rules["expected"]) / 100.0


@metric("check_include_exclude")
def check_include_exclude(result: Any, rules: dict[str, Any]) -> float:
    """Every `include` string occurs in `result` and no `exclude` string does."""
    if result is None:
        return 0.0
    return float(all(s in result for s in rules.get("include", []))
                 and all(s not in result for s in rules.get("exclude", [])))


@metric("lite_check_include_exclude")
def lite_check_include_exclude(result: Any, rules: dict[str, Any]) -> float:
    """osworld-lite's own: as check_include_exclude on the text of `result` (`str()` of a list
    of tabs, for instance), where OSWorld's tests list membership for a non-string result."""
    if result is None:
        return 0.0
    text = str(result)
    return float(all(s in text for s in rules.get("include", [])) and all(s not in text for s in rules.get("exclude", [])))


@metric("diff_text_file")
def diff_text_file(result: Any, expected: Any) -> float:
    """difflib's similarity ratio of the two files' lists of lines."""
    if result is None:
        return 0.0
    a, b = _open_text(result).splitlines(), _open_text(expected).splitlines()
    return difflib.SequenceMatcher(a=a, b=b).ratio()


@metric("fuzzy_place_math")
def fuzzy_place_math(result: Any, rules: dict[str, Any]) -> float:
    """A .docx whose words are exactly three, each scored by its best fuzzy match among
    `rules["expected"]`; the mean of the three (0 unless there are exactly three words)."""
    if result is None:
        return 0.0
    from envs.osworld_lite.metrics.docs import open_docx

    words = [w for p in open_docx(result).paragraphs for w in p.text.split()]
    scores = [max((fuzz.ratio(w, ans) / 100 for ans in rules["expected"]), default=0) for w in words]
    return sum(scores) / 3 if len(scores) == 3 else 0.0


@metric("check_csv")
def check_csv(result: Any, rules: dict[str, Any]) -> float:
    """Each `expect` record pattern matches some CSV row; no `unexpect` pattern matches any
    (values compared as the strings csv.DictReader gives)."""
    if result is None:
        return 0.0
    text = _open_text(result)   # the size limit first, before anything else reads it
    expect, unexpect = rules.get("expect", []), rules.get("unexpect", [])
    found = [False] * len(expect)
    clean = True
    for row in csv.DictReader(text.splitlines(keepends=True)):
        found = [f or match_record(p, row) for f, p in zip(found, expect, strict=True)]
        clean = clean and not any(match_record(p, row) for p in unexpect)
    return float(all(found) and clean)


@metric("check_list")
def check_list(result: Any, rules: dict[str, Any]) -> float:
    """Each `expect` regex is found in some line; no `unexpect` regex in any line (lines keep
    their newline, as when iterating a file)."""
    if result is None:
        return 0.0
    text = _open_text(result)   # the size limit first, before anything else reads it
    expect = [re.compile(p) for p in rules.get("expect", [])]
    unexpect = [re.compile(p) for p in rules.get("unexpect", [])]
    found = [False] * len(expect)
    clean = True
    for line in text.splitlines(keepends=True):
        found = [f or p.search(line) is not None for f, p in zip(found, expect, strict=True)]
        clean = clean and all(p.search(line) is None for p in unexpect)
    return float(all(found) and clean)


# The namespaces OSWorld's accessibility-tree XML uses (its Ubuntu variant).
A11Y_NS = {
    "st": "https://accessibility.ubuntu.example.org/ns/state",
    "attr": "https://accessibility.ubuntu.example.org/ns/attributes",
    "cp": "https://accessibility.ubuntu.example.org/ns/component",
    "doc": "https://accessibility.ubuntu.example.org/ns/document",
    "docattr": "https://accessibility.ubuntu.example.org/ns/document/attributes",
    "txt": "https://accessibility.ubuntu.example.org/ns/text",
    "val": "https://accessibility.ubuntu.example.org/ns/value",
    "act": "https://accessibility.ubuntu.example.org/ns/action",
}


@metric("check_accessibility_tree")
def check_accessibility_tree(result: Any, rules: list[dict[str, Any]], osname: str = "ubuntu") -> float:
    """Each rule selects elements of the accessibility-tree XML (`xpath`, else CSS
    `selectors`); with `text`, the best element text match (exact, or fuzzy ratio when
    `exact` is false) multiplies the score; no element scores 0."""
    if osname != "ubuntu":
        raise ValueError(f"check_accessibility_tree: only osname 'ubuntu' is supported here, not {osname!r}")
    root = etree.fromstring(result.encode() if isinstance(result, str) else result,
                            parser=etree.XMLParser(resolve_entities=False, no_network=True))
    total = 1.0
    for r in rules:
        if "xpath" in r:
            elements = root.xpath(r["xpath"], namespaces=A11Y_NS)
        elif "selectors" in r:
            from lxml.cssselect import CSSSelector  # needs the cssselect package; only this metric does

            elements = CSSSelector(", ".join(r["selectors"]), namespaces=A11Y_NS)(root)
        else:
            raise ValueError("check_accessibility_tree: a rule needs xpath or selectors")
        if not elements:
            return 0.0
        if "text" in r:
            def score(text: str | None, r: dict[str, Any] = r) -> float:
                return float(r["text"] == text) if r["exact"] else fuzz.ratio(r["text"], text) / 100.0
            total *= max([0.0] + [score(e.text or None) for e in elements])
    return float(total)


@metric("run_sqlite3")
def run_sqlite3(result: Any, rules: dict[str, Any]) -> float:
    """The first column of the first row of `rules["sql"]` run on the database (read-only)."""
    with sqlite3.connect(f"file:{result}?mode=ro", uri=True) as conn:
        row = conn.execute(rules["sql"]).fetchone()
    return float(row[0] or 0)


def _dig_expect(data: Any, keys: list[Any]) -> tuple[bool, Any]:
    for k in keys:
        try:
            data = data[k]
        except (KeyError, TypeError, IndexError):
            return False, None
    return True, data


@metric("check_json")
def check_json(result: Any, rules: dict[str, Any], is_yaml: bool = False) -> float:
    """JSON (or YAML) file checks: every `expect` {"key": [path…], "method", "ref"} holds and
    no `unexpect` one does (a missing key there reads as None)."""
    if result is None:
        return 0.0
    try:
        text = _open_text(result)
        data = yaml.safe_load(text) if is_yaml else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return 0.0
    if is_yaml and data is None:
        return 0.0
    ok = True
    try:
        for r in rules.get("expect", {}):
            found, value = _dig_expect(data, r["key"])
            if not found:
                return 0.0
            ok = ok and match_value_to_rule(value, r)
        for r in rules.get("unexpect", {}):
            _, value = _dig_expect(data, r["key"])
            ok = ok and not match_value_to_rule(value, r)
    except Exception:  # OSWorld scores any failure while matching as 0
        return 0.0
    return float(ok)


@metric("check_direct_json_object")
def check_direct_json_object(result: Any, rules: dict[str, Any]) -> float:
    """Compare a JSON object (a dict, or a string parsed after `'` → `"`) key by key with
    `rules["expected"]`: equal values, or with `expect_in_result` each expected string a
    substring of the result's value and each expected list holding one item found in the
    result's list (or equal to its string). A string that is not JSON raises, as OSWorld."""
    if isinstance(result, str):
        result = json.loads(result.strip().replace("'", '"'))
    if result is None:
        return 0.0
    expected = rules.get("expected", {})
    if expected and any(v == "__EVALUATION_FAILED__" for v in expected.values()):
        return 0.0
    try:
        if not rules.get("expect_in_result", False):
            for key, want in rules["expected"].items():
                if rules["expected"].get("ignore_list_order", False):
                    if sorted(want) != sorted(result.get(key)):
                        return 0.0
                elif want != result.get(key):
                    return 0.0
            return 1.0
        for key, want in rules["expected"].items():
            got = result.get(key)
            if isinstance(want, list):
                if not any((isinstance(got, list) and w in got) or (isinstance(got, str) and w == got) for w in want):
                    return 0.0
            elif isinstance(want, str):
                if want not in got:
                    return 0.0
            else:
                return 0.0
        return 1.0
    except Exception:  # OSWorld: "result is not a valid json object" scores 0
        return 0.0


_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)")


@metric("check_line_number")
def check_line_number(result: Any, rules: dict[str, Any]) -> float:
    """The file has exactly `rules["expected"]` lines holding a hh:mm:ss time."""
    import os

    if result is None or not os.path.isfile(result):
        return 0.0
    try:
        count = sum(1 for line in _open_text(result).splitlines() if _TIME.search(line))
        return float(count == int(rules["expected"]))
    except (OSError, UnicodeDecodeError, ValueError):
        return 0.0


@metric("lite_count_lines")
def lite_count_lines(result: Any, rules: dict[str, Any]) -> float:
    """osworld-lite's own: the text `result` has exactly `rules["expected"]` non-empty lines."""
    if result is None:
        return 0.0
    return float(len([ln for ln in str(result).splitlines() if ln.strip()]) == int(rules["expected"]))


@metric("match_regex", "check_regex")
def match_regex(result: Any, rules: dict[str, Any]) -> float:
    """osworld-lite's own: `result` matches `rules["pattern"]` (re.search; `ignore_case`)."""
    if result is None:
        return 0.0
    flags = re.IGNORECASE if rules.get("ignore_case") else 0
    return float(re.search(rules["pattern"], str(result), flags) is not None)
