"""The task schema: OSWorld's JSON accepted leniently, what matters checked strictly."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envs.osworld_lite.suite import load_task_file
from envs.osworld_lite.task import CopyParams, ExecuteStep, TaskSchemaError, parse_task, parse_tasks
from tests.support.paths import shared_path



def base(**extra: Any) -> dict[str, Any]:
    return {"id": "my-task", "instruction": "Do the thing.",
            "evaluator": {"func": "exact_match", "result": {"type": "vm_command_line", "command": "echo x"},
                          "expected": {"type": "rule", "rules": {"expected": "x\n"}}}, **extra}


def test_shared_examples_parse() -> None:
    tasks = load_task_file(shared_path("examples", "osworld-lite", "example_tasks.json"))
    assert [t.id for t in tasks] == ["example-rename-jpeg", "example-infeasible-printer"]
    rename, printer = tasks
    assert not rename.infeasible and printer.infeasible
    assert rename.domain == "os" and rename.split == "train"
    assert [s.type for s in rename.config] == ["execute", "launch", "sleep"]
    assert rename.evaluator.funcs == ["check_include_exclude", "exact_match"]
    assert [r.type for r in rename.evaluator.results] == ["vm_command_line", "vm_command_line"]
    assert rename.evaluator.results[1].as_dict()["shell"] is True
    # Parameters under "parameters" are flattened for the oracle.
    assert rename.solution_actions()[1] == {"action_type": "WAIT", "seconds": 1}
    assert printer.solution_actions() == [{"action_type": "FAIL"}]
    info = rename.to_task_info()
    assert info.env == "osworld-lite" and info.has_solution and info.metadata["related_apps"] == ["os", "terminal"]


def test_extra_keys_are_kept_like_osworld() -> None:
    task = parse_task(base(trajectory="trajectories/", proxy=False, possibility_of_env_change="low"))
    assert task.model_extra["proxy"] is False


def test_defaults_domain_from_snapshot_and_split_test() -> None:
    task = parse_task(base(snapshot="libreoffice_calc"))
    assert task.domain == "libreoffice_calc" and task.split == "test"
    assert parse_task(base()).domain == "custom"


def test_config_aliases_and_command_forms() -> None:
    task = parse_task(base(config=[
        {"type": "command", "parameters": {"command": "mkdir -p ~/x", "shell": True}},
        {"type": "execute", "parameters": {"command": "touch /tmp/a"}},
        {"type": "launch", "parameters": {"command": ["xterm"]}},
        {"type": "open", "parameters": {"path": "/home/user/a.xlsx"}},
        {"type": "activate_window", "parameters": {"window_name": "a.xlsx - LibreOffice Calc", "strict": True}},
        {"type": "chrome_open_tabs", "parameters": {"urls_to_open": ["http://127.0.0.1:8000/"]}},
        {"type": "copy", "parameters": {"fixture": "calc/budget.xlsx", "path": "~/Documents/budget.xlsx"}},
        {"type": "sleep", "parameters": {"seconds": 0.5}},
    ]))
    assert [s.type for s in task.config] == ["execute", "execute", "launch", "open", "activate_window",
                                             "chrome_open_tabs", "copy", "sleep"]
    assert isinstance(task.config[0], ExecuteStep) and task.config[0].parameters.shell


@pytest.mark.parametrize("step, message", [
    ({"type": "download", "parameters": {"files": [{"url": "http://x/a.xlsx", "path": "/home/user/a.xlsx"}]}},
     "never downloaded"),
    ({"type": "googledrive", "parameters": {}}, "no network"),
    ({"type": "teleport", "parameters": {}}, "unknown config step type 'teleport'"),
    ({"type": "copy", "parameters": {"path": "~/a"}}, "exactly one of"),
    ({"type": "copy", "parameters": {"path": "~/a", "fixture": "x", "file": "y"}}, "exactly one of"),
    ({"type": "launch", "parameters": {"command": []}}, "command is empty"),
    ({"type": "sleep", "parameters": {"seconds": -1}}, "greater than or equal"),
    ({"type": "open", "parameters": {}}, "path"),
])
def test_bad_config_steps_name_the_task(step: dict[str, Any], message: str) -> None:
    with pytest.raises(TaskSchemaError) as err:
        parse_task(base(config=[step]), origin="tasks.json")
    assert "my-task" in str(err.value) and "tasks.json" in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize("evaluator, message", [
    ({"func": "compare_tabel"}, "unknown metric"),
    ({"func": ["exact_match", "exact_match"], "result": [{"type": "rule"}], "expected": None}, "2 func(s) but 1 result"),
    ({"func": ["infeasible", "exact_match"]}, "cannot be combined"),
    ({"func": []}, "empty"),
    ({"func": "exact_match", "conj": "xor"}, "conj"),
    ({"func": "exact_match", "result": {"command": "ls"}}, "type"),
    ({"func": "compare_table", "result": {"type": "vm_file", "path": "/home/user/a.xlsx"},
      "expected": {"type": "cloud_file", "path": "https://example.com/a.xlsx"}}, "never downloaded"),
])
def test_bad_evaluators(evaluator: dict[str, Any], message: str) -> None:
    with pytest.raises(TaskSchemaError, match="my-task") as err:
        parse_task(base(evaluator=evaluator))
    assert message in str(err.value)


def test_solution_actions_are_checked() -> None:
    ok = parse_task(base(solution=[{"action_type": "HOTKEY", "parameters": {"keys": ["ctrl", "s"]}},
                                   {"action_type": "CLICK", "x": 10, "y": 20}, {"action_type": "DONE"}]))
    assert ok.solution_actions()[0] == {"action_type": "HOTKEY", "keys": ["ctrl", "s"]}
    with pytest.raises(TaskSchemaError, match="unknown action_type 'CLICKK'"):
        parse_task(base(solution=[{"action_type": "CLICKK"}]))
    with pytest.raises(TaskSchemaError, match="must be an object"):
        parse_task(base(solution=[{"action_type": "WAIT", "parameters": [1]}]))


def test_missing_fields_and_wrong_shapes() -> None:
    with pytest.raises(TaskSchemaError, match="instruction"):
        parse_task({"id": "x", "evaluator": {"func": "infeasible"}})
    with pytest.raises(TaskSchemaError, match="'<no id>'"):
        parse_task({"instruction": "x", "evaluator": {"func": "infeasible"}})
    with pytest.raises(TaskSchemaError, match="split"):
        parse_task(base(split="validation"))
    with pytest.raises(TaskSchemaError, match="JSON object"):
        parse_tasks(["not a task"])


def test_load_task_file_forms(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text(json.dumps(base(id="a")))
    assert [t.id for t in load_task_file(single)] == ["a"]
    folder = tmp_path / "suite"
    (folder / "sub").mkdir(parents=True)
    (folder / "x.json").write_text(json.dumps([base(id="b"), base(id="c")]))
    (folder / "sub" / "y.json").write_text(json.dumps(base(id="d")))
    assert sorted(t.id for t in load_task_file(folder)) == ["b", "c", "d"]
    (folder / "sub" / "z.json").write_text(json.dumps(base(id="b")))
    with pytest.raises(TaskSchemaError, match="duplicate task id 'b'"):
        load_task_file(folder)


def test_load_task_file_errors(tmp_path: Path) -> None:
    with pytest.raises(TaskSchemaError, match="does not exist"):
        load_task_file(tmp_path / "nope.json")
    with pytest.raises(TaskSchemaError, match="no \\*.json"):
        load_task_file(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"id\": \"x\",}]")
    with pytest.raises(TaskSchemaError, match="not valid JSON .* line 1"):
        load_task_file(bad)


def test_copy_from_a_file_beside_the_task(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "sales.csv").write_text("a,b\n1,2\n")
    (tmp_path / "task.json").write_text(json.dumps(base(config=[
        {"type": "copy", "parameters": {"file": "data/sales.csv", "path": "~/sales.csv"}}])))
    task = load_task_file(tmp_path / "task.json")[0]
    params = task.config[0].parameters
    assert isinstance(params, CopyParams)
    params.materialize(task, tmp_path / "home" / "sales.csv")
    assert (tmp_path / "home" / "sales.csv").read_text() == "a,b\n1,2\n"
    # A fixture source works the same way.
    fx = CopyParams(fixture="edit/config.ini", path="~/c.ini")
    fx.materialize(task, tmp_path / "home" / "c.ini")
    assert "port = 8080" in (tmp_path / "home" / "c.ini").read_text()


def test_copy_cannot_escape_the_task_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("host file")
    inner = tmp_path / "tasks"
    inner.mkdir()
    (inner / "t.json").write_text(json.dumps(base(config=[
        {"type": "copy", "parameters": {"file": "../secret.txt", "path": "~/s.txt"}}])))
    task = load_task_file(inner / "t.json")[0]
    with pytest.raises(TaskSchemaError, match="outside the task file's folder"):
        task.config[0].parameters.materialize(task, tmp_path / "out.txt")
    with pytest.raises(TaskSchemaError, match="not found"):
        task.source_file("missing.txt")
    with pytest.raises(TaskSchemaError, match="not loaded from a file"):
        parse_task(base()).source_file("x")
