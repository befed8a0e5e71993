"""Paired comparison of two models (or agents) on the same tasks.

Two figures, both paired on tasks so that task difficulty cancels out:

* the gap in success-rate points with a paired bootstrap 95% interval: resample tasks with
  replacement, each task contributing (A's success rate − B's) over its graded trials;
* McNemar's exact test on (task, trial) pairs graded for both (statsmodels; the i-th graded
  trial of A is paired with the i-th of B): do the discordant pairs (solved by one only) lean
  one way more than chance allows?
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable

import numpy as np
from pydantic import BaseModel
from scipy.stats import bootstrap

from scoring.episodes import EpisodeSummary

DEFAULT_RESAMPLES = 10_000
DEFAULT_SEED = 0


class PairedComparison(BaseModel):
    a: str
    b: str
    tasks: int                       # tasks graded for both
    pairs: int                       # (task, trial) pairs graded for both (McNemar's sample)
    a_rate: float | None = None      # mean per-task success over the shared tasks
    b_rate: float | None = None
    gap_points: float | None = None  # 100 × (a_rate − b_rate)
    ci_low_points: float | None = None
    ci_high_points: float | None = None
    both: int = 0                    # McNemar's table
    a_only: int = 0
    b_only: int = 0
    neither: int = 0
    mcnemar_p: float | None = None
    confidence: float = 0.95
    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED

    @property
    def half_width_points(self) -> float | None:
        if self.ci_low_points is None or self.ci_high_points is None:
            return None
        return (self.ci_high_points - self.ci_low_points) / 2

    def sentence(self) -> str:
        """The comparison in words, e.g. "qwen trails gpt by 14.0 points ± 5.1 (…)"."""
        if self.gap_points is None:
            return f"{self.a} and {self.b} share no graded task: nothing to compare."
        gap = self.gap_points
        verb = "leads" if gap > 0 else "trails" if gap < 0 else "ties with"
        amount = f" by {abs(gap):.1f} points" if gap else ""
        half = self.half_width_points or 0.0
        p = "n/a" if self.mcnemar_p is None else f"{self.mcnemar_p:.3g}"
        return (
            f"{self.a} {verb} {self.b}{amount} ± {half:.1f} "
            f"({self.confidence:.0%} CI {self.ci_low_points:+.1f} to {self.ci_high_points:+.1f} points, "
            f"paired bootstrap over {self.tasks} tasks; McNemar exact p = {p}, "
            f"{self.a_only} vs {self.b_only} discordant of {self.pairs} pairs)"
        )


def _outcomes(episodes: Iterable[EpisodeSummary], label: str) -> dict[Hashable, list[bool]]:
    """task key -> solved flags of one label's graded episodes, in (run, trial) order.

    Trials of the same task from several runs are pooled (each run numbers its trials from 0).
    """
    mine = sorted((ep for ep in episodes if ep.label == label and ep.evaluated),
                  key=lambda ep: (ep.run_id, ep.trial))
    out: dict[Hashable, list[bool]] = defaultdict(list)
    for ep in mine:
        out[ep.task_key].append(ep.solved)
    return out


def _bootstrap_ci(diffs: np.ndarray, confidence: float, resamples: int, seed: int) -> tuple[float, float]:
    if len(diffs) < 2 or np.ptp(diffs) == 0:
        # No spread to resample: the interval collapses onto the observed gap.
        mean = float(diffs.mean())
        return mean, mean
    res = bootstrap(
        (diffs,), np.mean, confidence_level=confidence, n_resamples=resamples,
        method="BCa", rng=np.random.default_rng(seed),
    )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if np.isnan(low) or np.isnan(high):  # BCa can fail on very lumpy data
        res = bootstrap(
            (diffs,), np.mean, confidence_level=confidence, n_resamples=resamples,
            method="percentile", rng=np.random.default_rng(seed),
        )
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return low, high


def compare(
    episodes: Iterable[EpisodeSummary],
    a: str,
    b: str,
    *,
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> PairedComparison:
    """Compare label `a` with label `b` on the tasks both were graded on."""
    if a == b:
        raise ValueError(f"compare two different models, got {a!r} twice")
    episodes = list(episodes)
    out_a, out_b = _outcomes(episodes, a), _outcomes(episodes, b)
    shared = sorted(set(out_a) & set(out_b), key=str)
    result = PairedComparison(a=a, b=b, tasks=len(shared), pairs=0, confidence=confidence,
                              resamples=resamples, seed=seed)
    if not shared:
        return result

    rate_a = np.array([np.mean(out_a[t]) for t in shared], dtype=float)
    rate_b = np.array([np.mean(out_b[t]) for t in shared], dtype=float)
    diffs = rate_a - rate_b
    low, high = _bootstrap_ci(diffs, confidence, resamples, seed)
    result.a_rate, result.b_rate = float(rate_a.mean()), float(rate_b.mean())
    result.gap_points = 100 * float(diffs.mean())
    result.ci_low_points, result.ci_high_points = 100 * low, 100 * high

    for t in shared:
        for sa, sb in zip(out_a[t], out_b[t]):   # i-th trial of A with i-th trial of B
            result.pairs += 1
            if sa and sb:
                result.both += 1
            elif sa:
                result.a_only += 1
            elif sb:
                result.b_only += 1
            else:
                result.neither += 1
    if result.pairs:
        from statsmodels.stats.contingency_tables import mcnemar  # slow import: only when needed

        table = [[result.both, result.a_only], [result.b_only, result.neither]]
        result.mcnemar_p = float(mcnemar(table, exact=True).pvalue)
    return result
