"""Paired comparison: McNemar's exact test and the paired bootstrap interval of the gap."""
from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.compare import compare


def _paired(make_ep, pattern: list[tuple[bool, bool]], trials: int = 1):
    eps = []
    for i, (a, b) in enumerate(pattern):
        for t in range(trials):
            eps.append(make_ep("gpt-5.4-mini", f"t{i}", a, trial=t))
            eps.append(make_ep("qwen3.5-9b", f"t{i}", b, trial=t))
    return eps


def test_gap_and_mcnemar_by_hand(make_ep) -> None:
    # 7 both, 8 only A, 1 only B, 4 neither: A 15/20, B 8/20.
    pattern = [(True, True)] * 7 + [(True, False)] * 8 + [(False, True)] + [(False, False)] * 4
    eps = _paired(make_ep, pattern)
    eps.append(make_ep("gpt-5.4-mini", "only-a", True))          # unpaired: ignored
    eps.append(make_ep("qwen3.5-9b", "t0", None, trial=5))       # infra error: ignored
    res = compare(eps, "qwen3.5-9b", "gpt-5.4-mini")
    assert (res.tasks, res.pairs) == (20, 20)
    assert (res.both, res.a_only, res.b_only, res.neither) == (7, 1, 8, 4)
    assert res.a_rate == pytest.approx(0.40) and res.b_rate == pytest.approx(0.75)
    assert res.gap_points == pytest.approx(-35.0)
    # Exact McNemar: two-sided binomial test of 1 vs 8 discordant pairs = 2·(C(9,0)+C(9,1))/2⁹.
    assert res.mcnemar_p == pytest.approx(2 * (1 + 9) / 2**9)
    # The bootstrap interval is close to the normal approximation ±1.96·sd/√n of the task gaps.
    diffs = np.array([0.0] * 7 + [-1.0] * 8 + [1.0] + [0.0] * 4)
    se = diffs.std() / math.sqrt(len(diffs))
    assert res.ci_low_points < -35.0 < res.ci_high_points
    assert res.half_width_points == pytest.approx(100 * 1.96 * se, rel=0.2)
    assert res.ci_high_points < 0          # the gap is clearly real
    text = res.sentence()
    assert text.startswith("qwen3.5-9b trails gpt-5.4-mini by 35.0 points ± ")
    assert "McNemar exact p = 0.0391" in text


def test_bootstrap_is_reproducible_and_seeded(make_ep) -> None:
    pattern = [(True, False), (False, False), (True, True), (False, True), (True, False)] * 4
    eps = _paired(make_ep, pattern)
    one = compare(eps, "gpt-5.4-mini", "qwen3.5-9b", seed=3)
    two = compare(eps, "gpt-5.4-mini", "qwen3.5-9b", seed=3)
    assert (one.ci_low_points, one.ci_high_points) == (two.ci_low_points, two.ci_high_points)
    assert one.seed == 3 and one.resamples == 10_000
    assert one.gap_points == pytest.approx(20.0)


def test_trials_are_averaged_per_task_and_paired_by_trial(make_ep) -> None:
    eps = []
    # task x: A 2/2, B 1/2 (trial 0 solved); task y: A 0/2, B 0/2.
    eps += [make_ep("a-model", "x", True, trial=0), make_ep("a-model", "x", True, trial=1)]
    eps += [make_ep("b-model", "x", True, trial=0), make_ep("b-model", "x", False, trial=1)]
    eps += [make_ep("a-model", "y", False, trial=t) for t in range(2)]
    eps += [make_ep("b-model", "y", False, trial=t) for t in range(2)]
    res = compare(eps, "a-model", "b-model")
    assert res.tasks == 2 and res.pairs == 4
    assert res.gap_points == pytest.approx(25.0)            # mean of (1 − 0.5, 0 − 0)
    assert (res.both, res.a_only, res.b_only, res.neither) == (1, 1, 0, 2)
    assert res.mcnemar_p == pytest.approx(1.0)


def test_identical_results_give_a_zero_width_interval(make_ep) -> None:
    eps = _paired(make_ep, [(True, True), (False, False), (True, True)])
    res = compare(eps, "gpt-5.4-mini", "qwen3.5-9b")
    assert res.gap_points == 0.0 and res.ci_low_points == 0.0 and res.ci_high_points == 0.0
    assert "ties with" in res.sentence()


def test_no_shared_tasks_and_bad_arguments(make_ep) -> None:
    eps = [make_ep("a-model", "x", True), make_ep("b-model", "y", True)]
    res = compare(eps, "a-model", "b-model")
    assert res.tasks == 0 and res.gap_points is None and res.mcnemar_p is None
    assert "share no graded task" in res.sentence()
    with pytest.raises(ValueError):
        compare(eps, "a-model", "a-model")


def test_trials_pooled_across_runs(make_ep) -> None:
    # Two runs of each model, each numbering its single trial 0: all four trials count.
    eps = [make_ep("a-model", "x", True, run="r1"), make_ep("a-model", "x", True, run="r2"),
           make_ep("b-model", "x", False, run="r3"), make_ep("b-model", "x", True, run="r4")]
    res = compare(eps, "a-model", "b-model")
    assert res.pairs == 2 and res.gap_points == pytest.approx(50.0)
    assert (res.both, res.a_only, res.b_only, res.neither) == (1, 1, 0, 0)
