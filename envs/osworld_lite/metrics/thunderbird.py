"""OSWorld's Thunderbird metrics: prefs.js values, message filter rules, folder contents."""
from __future__ import annotations

import json
import re
from typing import Any

from envs.osworld_lite.metrics import metric
from envs.osworld_lite.metrics.matching import match_record, match_value_to_rule
from envs.osworld_lite.metrics.safe_files import check_size

_PREF = re.compile(r'^user_pref\("(?P<key>(?:[^"]|\\")+)\", (?P<val>.+)\);$')
_CONDITION = re.compile(r'\b(?:AND|OR) \((?:[\w ]+),(?:[\w ' + "'" + r']+),(?:"(?:(?:[^"]|\")+)"|(?:[^)]+))\)|\bALL\b')


def _lines(path: Any) -> list[str]:
    check_size(path)
    with open(path) as f:
        return f.readlines()


@metric("check_thunderbird_prefs")
def check_thunderbird_prefs(result: Any, rule: dict[str, Any]) -> float:
    """Each `expect` pref's last value matches its rule; no `unexpect` pref value matches."""
    if result is None:
        return 0.0
    expect, unexpect = rule.get("expect", {}), rule.get("unexpect", {})
    found = {k: False for k in expect}
    clean = True
    for line in _lines(result):
        m = _PREF.match(line.strip())
        if m is None:
            continue
        key, value = m.group("key"), json.loads(m.group("val"))
        if key in expect:
            found[key] = match_value_to_rule(value, expect[key])
        elif key in unexpect:
            clean = clean and not match_value_to_rule(value, unexpect[key])
    return float(all(found.values()) and clean)


def _unescape(value: str) -> str:
    return value.replace('\\"', '"').replace("\\\\", "\\")


@metric("check_thunderbird_filter")
def check_thunderbird_filter(result: Any, rules: dict[str, Any]) -> float:
    """msgFilterRules.dat: each `expect` record (name, enabled, type, action, actionValue,
    condition list) matches some filter; no `unexpect` record matches any."""
    if result is None:
        return 0.0
    filters: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    fields = {"name=": ("name", 6), "enabled=": ("enabled", 9), "type=": ("type", 6), "action=": ("action", 8),
              "actionValue=": ("actionValue", 13)}
    for line in _lines(result):
        if line.startswith("name="):
            current = {}
        for prefix, (field, start) in fields.items():
            if line.startswith(prefix):
                current[field] = _unescape(line[start:-2])
        if line.startswith("condition="):
            current["condition"] = _CONDITION.findall(_unescape(line[11:-2]))
            filters.append(current)
    expect, unexpect = rules.get("expect", []), rules.get("unexpect", [])
    found = [any(match_record(r, f) for f in filters) for r in expect]
    clean = not any(match_record(r, f) for f in filters for r in unexpect)
    return float(all(found) and clean)


@metric("check_thunderbird_folder")
def check_thunderbird_folder(result: Any, expected: Any, ignore_status: bool = False, ignore_keys: bool = False,
                             remove_deleted: bool = True, remove_duplicate: bool = True) -> float:
    """OSWorld's folder comparison. Its message split keeps only blank chunks (it skips every
    chunk with text), so any two readable folder files compare equal: a folder file that exists
    scores 1. Kept as is, since that is how OSWorld scores these tasks."""
    def read(path: Any) -> str:
        check_size(path)
        with open(path) as f:
            data = f.read().strip()
        messages = []
        for mail in data.split("FROM - "):
            if mail.strip():
                continue
            if remove_deleted and re.search(r"X-Mozilla-Status: 000[89]", mail):
                continue
            msg = mail
            if ignore_status:
                msg = re.sub(r"X-Mozilla-Status\d?:[\s\d]+", "", msg)
            if ignore_keys:
                msg = re.sub(r"(X-Mozilla-Keys:[^\n]*?)\n(MIME-Version)", r"\2", msg)
            messages.append("FROM - " + msg.strip())
        unique = set(messages) if remove_duplicate else messages
        return "\n".join(sorted(unique))
    if not isinstance(expected, list):
        result, expected = [result], [expected]
    for pred, gold in zip(result, expected):
        if pred is None:
            return 0.0
        if read(pred) != read(gold):
            return 0.0
    return 1.0
