"""Per-group metrics: success rate with a Wilson interval, pass@k / pass^k, steps, tokens, cost.

Which episodes count follows the one rule of envs/endings.py: every agent-caused ending
(status succeeded or failed) is graded and in the denominator. Infrastructure errors (status
"error"), harness errors (status "harness_error") and unfinished episodes are counted apart and
never enter a denominator: they say nothing about the agent. A group whose excluded share passes
`HIGH_EXCLUDED_SHARE` is flagged: its rate may be biased by what was left out.

pass@k and pass^k use the unbiased estimators over the n graded trials of each task with c
successes (Chen et al. 2021; Yao et al. 2024, τ-bench):

    pass@k = 1 − C(n−c, k) / C(n, k)     (at least one of k trials succeeds)
    pass^k = C(c, k) / C(n, k)           (all k trials succeed)

averaged over tasks, for k = 1 … the smallest n in the group (so every task counts at every k).
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable

from pydantic import BaseModel, Field
from statsmodels.stats.proportion import proportion_confint

from scoring.episodes import ERROR, EVALUATED, HARNESS_ERROR, SUCCEEDED, EpisodeSummary

CONFIDENCE = 0.95
HIGH_EXCLUDED_SHARE = 0.05


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Wilson score interval for a binomial proportion; None when there is no trial."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in [0, {n}], got {successes}")
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    # The bounds are exact at 0 and n successes; drop the floating-point noise there
    # (e.g. 2.8e-17 or 1.0000000000000002) so that reports show clean 0 and 1.
    if successes == 0:
        low = 0.0
    if successes == n:
        high = 1.0
    return max(0.0, float(low)), min(1.0, float(high))


def _check(n: int, c: int, k: int) -> None:
    if not (0 <= c <= n):
        raise ValueError(f"need 0 ≤ c ≤ n, got c={c}, n={n}")
    if not (1 <= k <= n):
        raise ValueError(f"need 1 ≤ k ≤ n, got k={k}, n={n}")


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k trials drawn from n (c successful) succeeds."""
    _check(n, c, k)
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Probability that all k trials drawn from n (c successful) succeed (τ-bench's pass^k)."""
    _check(n, c, k)
    return math.comb(c, k) / math.comb(n, k)


class GroupMetrics(BaseModel):
    """The figures of one leaderboard row (all rates in [0, 1])."""

    episodes: int = 0                      # graded episodes (the denominator)
    successes: int = 0
    success_rate: float | None = None
    ci_low: float | None = None            # Wilson 95% interval of success_rate
    ci_high: float | None = None
    tasks: int = 0                         # distinct tasks with at least one graded trial
    trials_per_task: int = 0               # smallest number of graded trials over those tasks
    pass_at_k: dict[int, float] = Field(default_factory=dict)
    pass_hat_k: dict[int, float] = Field(default_factory=dict)
    mean_steps: float | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    mean_tokens_in: float | None = None
    mean_tokens_out: float | None = None
    cost_usd: float = 0.0
    cost_per_episode: float | None = None
    cost_per_success: float | None = None
    wall_time_s: float = 0.0
    mean_wall_time_s: float | None = None
    infra_errors: int = 0                  # excluded from every figure above
    infra_cost_usd: float = 0.0            # money spent on episodes lost to infrastructure errors
    harness_errors: int = 0                # bugs in the harness: excluded, shown loudly
    unfinished: int = 0                    # pending or running episodes
    excluded_share: float | None = None    # (infra + harness errors) / (graded + those)
    high_excluded_share: bool = False      # excluded_share > HIGH_EXCLUDED_SHARE


def task_counts(episodes: Iterable[EpisodeSummary]) -> dict[Hashable, tuple[int, int]]:
    """(graded trials n, successes c) per task key."""
    counts: dict[Hashable, list[int]] = defaultdict(lambda: [0, 0])
    for ep in episodes:
        if ep.status in EVALUATED:
            entry = counts[ep.task_key]
            entry[0] += 1
            entry[1] += ep.status == SUCCEEDED
    return {key: (n, c) for key, (n, c) in counts.items()}


def pass_k_table(counts: dict[Hashable, tuple[int, int]]) -> tuple[dict[int, float], dict[int, float]]:
    """pass@k and pass^k averaged over tasks, for k = 1 … min n."""
    if not counts:
        return {}, {}
    k_max = min(n for n, _ in counts.values())
    at_k: dict[int, float] = {}
    hat_k: dict[int, float] = {}
    for k in range(1, k_max + 1):
        at_k[k] = sum(pass_at_k(n, c, k) for n, c in counts.values()) / len(counts)
        hat_k[k] = sum(pass_hat_k(n, c, k) for n, c in counts.values()) / len(counts)
    return at_k, hat_k


def compute_metrics(episodes: Iterable[EpisodeSummary]) -> GroupMetrics:
    """All figures for one group of episodes (one model/agent × env × domain × split)."""
    counts: dict[Hashable, list[int]] = defaultdict(lambda: [0, 0])
    n = successes = infra = harness = unfinished = steps = tokens_in = tokens_out = 0
    cost = wall = infra_cost = 0.0
    for ep in episodes:  # one pass over plain locals: leaderboards group 10⁵ episodes and more
        status = ep.status
        if status in EVALUATED:
            solved = status == SUCCEEDED
            n += 1
            successes += solved
            entry = counts[(ep.env, ep.domain, ep.task_id)]
            entry[0] += 1
            entry[1] += solved
            steps += ep.steps
            tokens_in += ep.tokens_in
            tokens_out += ep.tokens_out
            cost += ep.cost_usd
            wall += ep.wall_time_s
        elif status == ERROR:
            infra += 1
            infra_cost += ep.cost_usd
        elif status == HARNESS_ERROR:
            harness += 1
        else:
            unfinished += 1
    finished = n + infra + harness
    share = (infra + harness) / finished if finished else None
    excluded = dict(infra_errors=infra, infra_cost_usd=infra_cost, harness_errors=harness,
                    unfinished=unfinished, excluded_share=share,
                    high_excluded_share=share is not None and share > HIGH_EXCLUDED_SHARE)
    if not n:
        return GroupMetrics(**excluded)
    task_nc = {key: (nc[0], nc[1]) for key, nc in counts.items()}
    at_k, hat_k = pass_k_table(task_nc)
    low, high = wilson_interval(successes, n)  # type: ignore[misc]
    return GroupMetrics(
        episodes=n, successes=successes, success_rate=successes / n, ci_low=low, ci_high=high,
        tasks=len(task_nc), trials_per_task=min(n_ for n_, _ in task_nc.values()),
        pass_at_k=at_k, pass_hat_k=hat_k, mean_steps=steps / n,
        tokens_in=tokens_in, tokens_out=tokens_out, mean_tokens_in=tokens_in / n, mean_tokens_out=tokens_out / n,
        cost_usd=cost, cost_per_episode=cost / n, cost_per_success=cost / successes if successes else None,
        wall_time_s=wall, mean_wall_time_s=wall / n, **excluded,
    )
