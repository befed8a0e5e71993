"""check-tasks grades the gold trajectory as τ²-bench's evaluator does, in every domain: mock's
vectors (two tasks whose assertions the gold path does not meet) pin reward, db_match and the
assertions' `met`."""
from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from agents.cli import app
from tests.support.paths import shared_path


def test_check_tasks_reward_and_assertions_on_mock(tmp_path: Path) -> None:
    mock_dir = shared_path("tau2", "mock")
    result = CliRunner().invoke(app, ["check-tasks", "--domain", "mock", "--data-dir", str(mock_dir),
                                      "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    vectors = [json.loads(p.read_text()) for p in sorted((mock_dir / "vectors").glob("*.json"))]
    assert len(vectors) == 10
    zero = []
    for vector in vectors:
        name = re.sub(r"[^A-Za-z0-9_.\-]", "_", vector["task_id"]) + ".json"
        data = json.loads((tmp_path / name).read_text())
        reference = vector["reference_env_evaluation_of_gold_trajectory"]
        assert (data["reward"], data["db_match"]) == (reference["reward"], reference["db_match"]), vector["task_id"]
        if "env_assertions" in vector:
            assert [c["met"] for c in data["env_assertions"]] == [a["met"] for a in vector["env_assertions"]]
        assert [a["requestor"] for a in data["actions"]] == [a["requestor"] for a in vector["actions"]]
        assert "final_user_db" in data and data["not_graded"] == [
            b for b in vector["reward_basis"] if b not in ("DB", "ENV_ASSERTION", "ACTION")]
        if data["reward"] == 0.0:
            zero.append(vector["task_id"])
    assert sorted(zero) == ["update_task_with_history_and_env_assertions", "update_task_with_user_tools"]
