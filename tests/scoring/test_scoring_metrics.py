"""Metrics against hand-computed values."""
from __future__ import annotations

import math

import pytest

from scoring.metrics import compute_metrics, pass_at_k, pass_hat_k, wilson_interval

Z95 = 1.959963984540054


def wilson_by_hand(c: int, n: int) -> tuple[float, float]:
    p = c / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return centre - half, centre + half


@pytest.mark.parametrize("c,n", [(0, 1), (3, 3), (7, 10), (14, 50), (0, 20), (20, 20)])
def test_wilson_matches_the_formula(c: int, n: int) -> None:
    low, high = wilson_interval(c, n)
    exp_low, exp_high = wilson_by_hand(c, n)
    assert low == pytest.approx(exp_low, abs=1e-9)
    assert high == pytest.approx(exp_high, abs=1e-9)
    assert 0.0 <= low <= c / n <= high <= 1.0


def test_wilson_known_values() -> None:
    # 3/3: the textbook example of an interval that does not collapse at p = 1.
    assert wilson_interval(3, 3) == pytest.approx((0.43850, 1.0), abs=1e-5)
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(4, 3)


def test_pass_k_estimators_by_hand() -> None:
    assert pass_hat_k(4, 2, 2) == pytest.approx(1 / 6)      # C(2,2)/C(4,2)
    assert pass_at_k(4, 2, 2) == pytest.approx(5 / 6)       # 1 − C(2,2)/C(4,2)
    assert pass_hat_k(5, 3, 2) == pytest.approx(3 / 10)     # C(3,2)/C(5,2)
    assert pass_at_k(5, 3, 2) == pytest.approx(9 / 10)      # 1 − C(2,2)/C(5,2)
    assert pass_hat_k(5, 3, 4) == 0.0
    assert pass_at_k(5, 3, 3) == 1.0                        # only 2 failures: 3 draws must hit
    assert pass_at_k(3, 1, 1) == pytest.approx(pass_hat_k(3, 1, 1)) == pytest.approx(1 / 3)
    with pytest.raises(ValueError):
        pass_hat_k(3, 1, 4)
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)


def test_group_metrics_by_hand(make_ep) -> None:
    ep = make_ep
    eps = []
    # task a: 2 of 4 trials solved; task b: 4 of 4; task c: 0 of 4.
    for trial, solved in enumerate([True, False, True, False]):
        eps.append(ep("qwen", "a", solved, trial=trial, steps=4, tokens_in=1000, tokens_out=100,
                      cost_usd=0.01, wall_time_s=10.0))
    for trial in range(4):
        eps.append(ep("qwen", "b", True, trial=trial, steps=2, tokens_in=500, tokens_out=50,
                      cost_usd=0.005, wall_time_s=5.0))
    for trial in range(4):
        eps.append(ep("qwen", "c", False, trial=trial, steps=10, tokens_in=3000, tokens_out=300,
                      cost_usd=0.03, wall_time_s=30.0))
    # An infrastructure error and an unfinished episode: counted apart, never in denominators.
    eps.append(ep("qwen", "c", None, trial=4, steps=1, tokens_in=999, cost_usd=0.5))
    eps.append(ep("qwen", "a", None, trial=4, status="running"))

    m = compute_metrics(eps)
    assert (m.episodes, m.successes, m.tasks, m.trials_per_task) == (12, 6, 3, 4)
    assert m.success_rate == 0.5
    assert (m.ci_low, m.ci_high) == pytest.approx(wilson_by_hand(6, 12))
    assert m.pass_hat_k == pytest.approx({1: 0.5, 2: (1 / 6 + 1 + 0) / 3, 3: (0 + 1 + 0) / 3, 4: 1 / 3})
    assert m.pass_at_k == pytest.approx({1: 0.5, 2: (5 / 6 + 1 + 0) / 3, 3: (1 + 1 + 0) / 3, 4: 2 / 3})
    assert m.mean_steps == pytest.approx((4 * 4 + 2 * 4 + 10 * 4) / 12)
    assert (m.tokens_in, m.tokens_out) == (18000, 1800)
    assert m.mean_tokens_in == pytest.approx(1500)
    assert m.cost_usd == pytest.approx(0.18)
    assert m.cost_per_episode == pytest.approx(0.015)
    assert m.cost_per_success == pytest.approx(0.03)
    assert m.wall_time_s == pytest.approx(180.0)
    assert m.mean_wall_time_s == pytest.approx(15.0)
    assert (m.infra_errors, m.unfinished) == (1, 1)
    assert m.infra_cost_usd == pytest.approx(0.5)


def test_pass_k_stops_at_the_smallest_trial_count(make_ep) -> None:
    ep = make_ep
    eps = [ep("gpt", "a", True, trial=t) for t in range(3)] + [ep("gpt", "b", False, trial=0),
                                                              ep("gpt", "b", True, trial=1)]
    m = compute_metrics(eps)
    assert m.trials_per_task == 2
    assert sorted(m.pass_hat_k) == [1, 2]
    assert m.pass_hat_k[2] == pytest.approx((1 + 0) / 2)
    assert m.pass_at_k[2] == pytest.approx((1 + 1) / 2)
    assert m.success_rate == pytest.approx(4 / 5)   # episode-weighted, unlike pass@1
    assert m.pass_at_k[1] == pytest.approx((1 + 0.5) / 2)


def test_only_errors_gives_empty_figures(make_ep) -> None:
    ep = make_ep
    m = compute_metrics([ep("gpt", "a", None), ep("gpt", "b", None)])
    assert m.episodes == 0 and m.success_rate is None and m.ci_low is None
    assert m.cost_per_success is None and m.pass_hat_k == {}
    assert m.infra_errors == 2


def test_no_successes_has_no_cost_per_success(make_ep) -> None:
    ep = make_ep
    m = compute_metrics([ep("noop", "a", False, cost_usd=0.0), ep("noop", "b", False)])
    assert m.success_rate == 0.0 and m.cost_per_success is None
    assert m.ci_low == 0.0 and m.ci_high == pytest.approx(wilson_by_hand(0, 2)[1])
