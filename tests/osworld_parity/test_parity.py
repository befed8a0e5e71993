"""Our metrics score every parity case as OSWorld's own functions did.

The scores were recorded from OSWorld's `desktop-env` package by scripts/osworld_parity.py
(see there to record them again); the cases and their files come from cases.py. A case where
OSWorld's function raised must raise here too (the evaluator then scores 0 with the reason).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envs.osworld_lite.metrics import call_metric
from tests.osworld_parity.cases import NO_EXPECTED, Case, cases, make_files, resolve

RECORDING = Path(__file__).with_name("osworld_scores.json")
CASES = cases()


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    return json.loads(RECORDING.read_text())["cases"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("osworld-parity")
    make_files(path)
    return path


def test_every_case_is_recorded(recorded: dict[str, Any]) -> None:
    assert sorted(recorded) == sorted(c.id for c in CASES), "run scripts/osworld_parity.py to record new cases"
    assert all(recorded[c.id]["metric"] == c.metric for c in CASES)


def test_cases_cover_matching_and_failing_outcomes(recorded: dict[str, Any]) -> None:
    """Each metric has a case OSWorld scores > 0 and one it scores 0 (or raises on)."""
    by_metric: dict[str, set[str]] = {}
    for entry in recorded.values():
        outcome = "pass" if entry.get("score") else "fail"
        by_metric.setdefault(entry["metric"], set()).add(outcome)
    one_sided = {m: o for m, o in by_metric.items() if o != {"pass", "fail"}}
    assert not one_sided, one_sided


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_score_matches_osworld(case: Case, recorded: dict[str, Any], folder: Path) -> None:
    want = recorded[case.id]
    result, expected = resolve(case.result, folder), resolve(case.expected, folder)
    if expected == NO_EXPECTED:
        expected = None
    if "raises" in want:
        with pytest.raises(Exception):  # noqa: B017, PT011  OSWorld raised; which error is not the point
            call_metric(case.metric, result, expected, dict(case.options))
        return
    got = call_metric(case.metric, result, expected, dict(case.options))
    assert got == pytest.approx(want["score"] or 0.0, abs=1e-6), f"OSWorld scored {want['score']}, ours {got}"
