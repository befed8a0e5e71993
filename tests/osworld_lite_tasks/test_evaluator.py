"""evaluate_task: OSWorld's conj, infeasible and FAIL semantics, and how getter specs are resolved."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from envs.errors import InfrastructureError
from envs.osworld_lite.evaluator import combine, evaluate_task
from envs.osworld_lite.task import parse_task


def make_task(evaluator: dict[str, Any], **extra: Any) -> Any:
    return parse_task({"id": "t", "instruction": "do it", "evaluator": evaluator, **extra})


class Outputs:
    """A stand-in for the runtime's getters: answers `vm_command_line` specs from a table."""

    def __init__(self, outputs: dict[str, Any]):
        self.outputs, self.calls = outputs, []

    def __call__(self, spec: dict[str, Any]) -> Any:
        self.calls.append(spec)
        return self.outputs.get(spec["command"])


def cmd(c: str) -> dict[str, Any]:
    return {"type": "vm_command_line", "command": c, "shell": True}


def rule(**rules: Any) -> dict[str, Any]:
    return {"type": "rule", "rules": rules}


def fuzzy_pair(conj: str) -> dict[str, Any]:
    return {"func": ["fuzzy_match", "fuzzy_match"], "conj": conj,
            "result": [cmd("a"), cmd("b")], "expected": [rule(expected="abcd"), rule(expected="abcd")]}


def test_combine_rules() -> None:
    assert combine([1.0, 0.5], "and") == 0.75
    assert combine([1.0, 0.0], "and") == 0.0
    assert combine([0.2, 0.5], "or") == 0.5
    assert combine([0.2, 1.0], "or") == 1.0
    assert combine([], "and") == 0.0


def test_and_is_the_mean_when_nothing_is_zero() -> None:
    ev = evaluate_task(make_task(fuzzy_pair("and")), Outputs({"a": "abcd", "b": "abxx"}), "DONE")
    assert ev.reward == pytest.approx(0.75)
    assert not ev.success
    assert [m["score"] for m in ev.details["metrics"]] == [1.0, 0.5]


def test_and_stops_at_the_first_zero() -> None:
    resolve = Outputs({"a": "zzzz", "b": "abcd"})
    ev = evaluate_task(make_task(fuzzy_pair("and")), resolve, "DONE")
    assert ev.reward == 0.0 and not ev.success
    assert [c["command"] for c in resolve.calls] == ["a"]   # the second getter never ran
    assert ev.details["skipped"] == ["fuzzy_match"]


def test_or_is_one_if_any_is_one_else_the_max() -> None:
    resolve = Outputs({"a": "abcd", "b": "zzzz"})
    ev = evaluate_task(make_task(fuzzy_pair("or")), resolve, "DONE")
    assert ev.reward == 1.0 and ev.success
    assert len(resolve.calls) == 1
    ev = evaluate_task(make_task(fuzzy_pair("or")), Outputs({"a": "abxx", "b": "abcx"}), "DONE")
    assert ev.reward == pytest.approx(0.75)


def test_infeasible_scores_only_on_fail() -> None:
    task = make_task({"func": "infeasible"})
    assert task.infeasible
    nothing = Outputs({})
    assert evaluate_task(task, nothing, "FAIL").reward == 1.0
    assert evaluate_task(task, nothing, "DONE").reward == 0.0
    assert evaluate_task(task, nothing, None).reward == 0.0
    assert nothing.calls == []


def test_infeasible_flag_alone_counts() -> None:
    task = make_task({"func": "exact_match", "result": cmd("a"), "expected": rule(expected="x")}, infeasible=True)
    assert evaluate_task(task, Outputs({"a": "x"}), "DONE").reward == 0.0
    assert evaluate_task(task, Outputs({"a": "x"}), "fail").reward == 1.0


def test_feasible_task_ending_with_fail_scores_zero_without_reading_the_desktop() -> None:
    task = make_task({"func": "exact_match", "result": cmd("a"), "expected": rule(expected="x")})
    resolve = Outputs({"a": "x"})
    ev = evaluate_task(task, resolve, "FAIL")
    assert ev.reward == 0.0 and resolve.calls == []
    assert evaluate_task(task, resolve, "DONE").reward == 1.0
    assert evaluate_task(task, resolve, None).reward == 1.0      # truncated episodes are still graded


def test_fixture_specs_are_materialised_locally(tmp_path: Path) -> None:
    # The agent's "result" is a real workbook equal to the generated expected fixture.
    from envs.osworld_lite.fixtures import materialize_fixture

    result = materialize_fixture("calc/budget_expected.xlsx", tmp_path / "budget.xlsx")
    task = make_task({"func": "lite_compare_table", "result": {"type": "vm_file", "path": "/home/user/budget.xlsx"},
                      "expected": {"type": "fixture", "fixture": "calc/budget_expected.xlsx"}})
    seen: list[dict[str, Any]] = []

    def resolve(spec: dict[str, Any]) -> Any:
        seen.append(spec)
        return str(result)

    assert evaluate_task(task, resolve, "DONE").reward == 1.0
    assert [s["type"] for s in seen] == ["vm_file"]              # rule/fixture never reach the runtime
    wb = openpyxl.load_workbook(result)
    wb.active["D2"] = 1
    wb.save(result)
    assert evaluate_task(task, resolve, "DONE").reward == 0.0


def test_fixture_spec_with_a_file_beside_the_task(tmp_path: Path) -> None:
    (tmp_path / "expected.txt").write_text("hello\n")
    (tmp_path / "got.txt").write_text("hello\n")
    task = parse_task({"id": "u", "instruction": "x", "evaluator": {
        "func": "lite_compare_text_file", "result": {"type": "vm_file", "path": "~/got.txt"},
        "expected": {"type": "fixture", "file": "expected.txt"}}}, base_dir=tmp_path)
    assert evaluate_task(task, lambda spec: str(tmp_path / "got.txt"), "DONE").reward == 1.0


def test_metric_errors_score_zero_with_the_reason() -> None:
    task = make_task({"func": "lite_compare_table", "result": cmd("a"),
                      "options": {"rules": [{"type": "no_such_rule"}]}})
    ev = evaluate_task(task, Outputs({"a": __file__}), "DONE")  # not a workbook: score 0
    assert ev.reward == 0.0
    ev = evaluate_task(task, lambda spec: str(_workbook()), "DONE")
    assert ev.reward == 0.0
    assert "unsupported rule" in ev.details["metrics"][0]["error"]


def _workbook() -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "w.xlsx"
    openpyxl.Workbook().save(path)
    return path


def test_infrastructure_errors_propagate() -> None:
    def broken(spec: dict[str, Any]) -> Any:
        raise InfrastructureError("sandbox died")

    task = make_task({"func": "exact_match", "result": cmd("a"), "expected": rule(expected="x")})
    with pytest.raises(InfrastructureError):
        evaluate_task(task, broken, "DONE")


def test_postconfig_runs_before_the_getters() -> None:
    order: list[str] = []
    task = make_task({"func": "exact_match", "result": cmd("a"), "expected": rule(expected="x"),
                      "postconfig": [{"type": "sleep", "parameters": {"seconds": 0}},
                                     {"type": "command", "parameters": {"command": "sync", "shell": True}}]})
    assert [s.type for s in task.evaluator.postconfig] == ["sleep", "execute"]

    def run_steps(steps: Any) -> None:
        order.append(f"postconfig:{len(steps)}")

    def resolve(spec: dict[str, Any]) -> Any:
        order.append("getter")
        return "x"

    assert evaluate_task(task, resolve, "DONE", run_steps=run_steps).reward == 1.0
    assert order == ["postconfig:2", "getter"]
    with pytest.raises(InfrastructureError, match="postconfig"):
        evaluate_task(task, resolve, "DONE")


def test_single_result_spec_serves_every_func() -> None:
    task = make_task({"func": ["check_include_exclude", "fuzzy_match"], "result": cmd("a"),
                      "expected": [rule(include=["ok"]), rule(expected="ok")]})
    resolve = Outputs({"a": "ok"})
    assert evaluate_task(task, resolve, "DONE").reward == 1.0
    assert len(resolve.calls) == 2
