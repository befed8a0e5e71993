"""A model's tau2-lite score the way τ²-bench reports it: pass^k per domain, then the average.

τ²-bench's leaderboard gives, for each domain, pass^1 (pass^2…4 with more trials) over all of
that domain's tasks, leaving infrastructure errors out, and ranks by the plain average of the
domains' pass^1 over its leaderboard domains (retail, airline, telecom, banking_knowledge):
every domain weighs the same, however many tasks it has. Other domains (mock, tau2-lite's own)
are shown but left out of that average. (The "all" row of the main leaderboard instead pools
every episode, so a domain with more tasks weighs more.)

Here pass^k is the project's one estimator (scoring/metrics.py, the same formula as τ²-bench's),
the denominators follow envs/endings.py (infrastructure and harness errors are excluded and
counted apart), and a domain's figures cover every split it ran: τ²-bench's default task set
("base") is all of a domain's tasks.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field
from rich.table import Table
from rich.text import Text

from scoring.episodes import EpisodeSummary
from scoring.metrics import GroupMetrics, compute_metrics

TAU2_ENV = "tau2-lite"
# The domains τ²-bench's leaderboard ranks, and so averages over (mock is its test domain).
LEADERBOARD_DOMAINS = ("retail", "airline", "telecom", "banking_knowledge")


class DomainFigures(BaseModel):
    pass_hat_k: dict[int, float] = Field(default_factory=dict)   # k = 1 … trials per task
    scored: int = 0             # graded episodes: the denominator
    excluded: int = 0           # infrastructure and harness errors, left out
    unfinished: int = 0
    tasks: int = 0
    trials_per_task: int = 0


class Tau2Summary(BaseModel):
    """One model (or baseline agent) on tau2-lite."""

    model: str
    agent: str
    splits: list[str]
    domains: dict[str, DomainFigures]
    average: dict[int, float] = Field(default_factory=dict)   # over the `averaged` domains
    averaged: list[str] = Field(default_factory=list)          # leaderboard domains with a score


def average_over_domains(domains: Sequence[GroupMetrics | DomainFigures]) -> dict[int, float]:
    """The plain mean of the domains' pass^k, for each k that every scored domain has."""
    scored = [d for d in domains if d.pass_hat_k]
    if not scored:
        return {}
    ks = set.intersection(*(set(d.pass_hat_k) for d in scored))
    return {k: sum(d.pass_hat_k[k] for d in scored) / len(scored) for k in sorted(ks)}


def _figures(metrics: GroupMetrics) -> DomainFigures:
    return DomainFigures(pass_hat_k=metrics.pass_hat_k, scored=metrics.episodes,
                         excluded=metrics.infra_errors + metrics.harness_errors,
                         unfinished=metrics.unfinished, tasks=metrics.tasks,
                         trials_per_task=metrics.trials_per_task)


def tau2_summaries(episodes: Iterable[EpisodeSummary]) -> list[Tau2Summary]:
    """One summary per model/agent that ran tau2-lite, best average pass^1 first."""
    by_label: dict[str, dict[str, list[EpisodeSummary]]] = defaultdict(lambda: defaultdict(list))
    for ep in episodes:
        if ep.env == TAU2_ENV:
            by_label[ep.label][ep.domain].append(ep)
    out = []
    for label, domains in by_label.items():
        figures = {name: _figures(compute_metrics(eps)) for name, eps in sorted(domains.items())}
        first = next(iter(domains.values()))[0]
        averaged = [name for name, f in figures.items() if name in LEADERBOARD_DOMAINS and f.pass_hat_k]
        out.append(Tau2Summary(
            model=label, agent=first.agent,
            splits=sorted({ep.split for eps in domains.values() for ep in eps}),
            domains=figures, average=average_over_domains([figures[name] for name in averaged]),
            averaged=averaged))
    out.sort(key=lambda s: (-(s.average.get(1, -1.0)), s.model))
    return out


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _pass_cell(pass_hat_k: dict[int, float]) -> str:
    if not pass_hat_k:
        return "–"
    lines = [f"pass^1 {_pct(pass_hat_k[1])}"]
    k = max(pass_hat_k)
    if k > 1:
        lines.append(f"pass^{k} {_pct(pass_hat_k[k])}")
    return "\n".join(lines)


def render_tau2_table(summaries: Sequence[Tau2Summary], title: str = "τ²-bench view (tau2-lite)") -> Table:
    """Model × domain: pass^1 (and pass^k) with scored/excluded counts, and the domain average."""
    names = sorted({d for s in summaries for d in s.domains})
    table = Table(title=title, header_style="bold", show_lines=True)
    table.add_column("Model / agent", no_wrap=True)
    table.add_column("Splits", no_wrap=True)
    for name in names:
        # Domains outside τ²-bench's leaderboard are shown, not averaged (marked "*").
        table.add_column(name if name in LEADERBOARD_DOMAINS else f"{name} *", justify="right", no_wrap=True)
    table.add_column("Average over domains", justify="right", no_wrap=True)
    if any(name not in LEADERBOARD_DOMAINS for name in names):
        table.caption = f"* not one of τ²-bench's leaderboard domains ({', '.join(LEADERBOARD_DOMAINS)}): not averaged"
    for s in summaries:
        cells = []
        for name in names:
            f = s.domains.get(name)
            if f is None:
                cells.append(Text("not run", style="dim"))
                continue
            cell = Text(_pass_cell(f.pass_hat_k))
            cell.append(f"\n{f.scored} scored", style="dim")
            if f.excluded:
                cell.append(f" · {f.excluded} excluded", style="yellow")
            if f.unfinished:
                cell.append(f" · {f.unfinished} unfinished", style="dim")
            cells.append(cell)
        average = Text(_pass_cell(s.average), style="bold")
        average.append(f"\n{len(s.averaged)} domain{'s' if len(s.averaged) != 1 else ''}", style="dim")
        table.add_row(Text(s.model, style="bold"), Text("+".join(s.splits)), *cells, average)
    return table
