"""Pinned miniwob instances (`--generated N --seed S`) and `collect --env miniwob` on them:
stable distinct ids, one page instance per id whatever the episode seed, train seeds only,
and an oracle collection exported for ms-swift with its screenshots."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.cli import app
from envs.miniwob.env import instance_seed
from envs.miniwob.instances import Instance, generate, parse
from envs.registry import get_family


def _listed(n: int, seed: int, **options) -> list:
    return get_family("miniwob").list_tasks(generated=n, generated_seed=seed, **options)


def test_ids_are_stable_distinct_and_train_only() -> None:
    first, again = _listed(300, 7), _listed(300, 7)
    assert [t.id for t in first] == [t.id for t in again]
    assert len({t.id for t in first}) == 300
    assert [t.id for t in _listed(40, 7)] == [t.id for t in first[:40]]       # growing N keeps the first N
    assert {t.id for t in _listed(40, 8)}.isdisjoint(t.id for t in first[:40])  # another seed, other instances
    tasks = {t.metadata["miniwob_task"] for t in first}
    assert len(tasks) == min(300, len(get_family("miniwob").list_tasks()))  # round-robin
    test_seeds = {instance_seed(s, "test") for s in range(0, 1_000_000, 997)}
    for task in first:
        assert task.split == "train" and task.id.startswith(task.metadata["miniwob_task"] + "/i")
        assert task.metadata["page_seed"] % 2 == 0 and task.metadata["page_seed"] not in test_seeds
        assert parse(task.id) == Instance(task.metadata["miniwob_task"], task.metadata["train_seed"])
    # The oracle's listing deals the instances over the tasks it has solvers for only.
    assert all(t.has_solution for t in _listed(50, 7, solvable_only=True))
    assert parse("click-button") is None and parse("click-button/i12") is None
    with pytest.raises(ValueError):
        generate([], 3, 0)


def test_an_id_opens_the_same_page_whatever_the_episode_seed(make_env) -> None:
    pinned = _listed(1, 3, solvable_only=True)[0]
    env = make_env(pinned.id, split="train")
    obs_a, info_a = env.reset(seed=1)
    obs_b, info_b = env.reset(seed=999)
    assert info_a["page_seed"] == info_b["page_seed"] == pinned.metadata["page_seed"]
    assert info_a["utterance"] == info_b["utterance"] and obs_a["dom_text"] == obs_b["dom_text"]
    assert env.task_info.id == pinned.id and env.task_info.split == "train"
    # A plain task id still draws its instance from the episode seed (two seeds, two pages):
    # the same two seeds give two different instances there, so the equality above is the pin's.
    plain = make_env(pinned.metadata["miniwob_task"], split="train")
    plain_obs = [plain.reset(seed=s) for s in (1, 999)]
    assert [i["page_seed"] for _, i in plain_obs] == [instance_seed(1, "train"), instance_seed(999, "train")]
    assert plain_obs[0][0]["dom_text"] != plain_obs[1][0]["dom_text"]
    with pytest.raises(ValueError, match="pinned train instance"):
        make_env(pinned.id, split="test")


def test_collect_miniwob_oracle_exports_for_swift(miniwob_ready, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["collect", "--env", "miniwob", "--agent", "oracle", "--generated", "4", "--seed", "2",
            "--trials", "2", "--export", "swift", "--out", str(out), "--db", f"sqlite:///{tmp_path / 'runs.db'}",
            "--artifacts", str(tmp_path / "artifacts"), "--no-progress"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    state = json.loads((out / "collect.json").read_text())
    expected = [t.id for t in _listed(4, 2, solvable_only=True)]
    assert state["tasks"] == expected and state["env_options"]["generated"] == 4
    assert state["counts"]["episodes"] == 8 and state["counts"]["kept_episodes"] <= 4
    assert state["counts"]["samples"] >= 3, state["counts"]          # the oracle solves (almost) every instance
    assert "disjoint by construction" in state["decontamination"]["split_guarantee"]
    data = out / "data"
    manifest = json.loads((data / "manifest.json").read_text())
    assert manifest["collect"]["split_guarantee"] == state["decontamination"]["split_guarantee"]
    rows = [json.loads(line) for f in manifest["data_files"] for line in (data / f).read_text().splitlines()]
    assert len(rows) == state["counts"]["samples"]
    assert all(r["images"] and all((data / p).is_file() for p in r["images"]) for r in rows)
    assert "Seed split: miniwob train and test instances are disjoint" in (data / "README.md").read_text()
    # Without --generated a miniwob collection is refused: best-of-K needs pinned instances.
    refused = CliRunner().invoke(app, [*args[:5], *args[9:]])
    assert refused.exit_code == 2 and "--generated" in refused.output
