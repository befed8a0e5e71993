"""Leaderboard rows: one per model (or agent) × environment × domain × split.

`build_rows` groups episodes and computes `GroupMetrics` for each group; where a model ran more
than one domain of an environment, an extra aggregate row (domain "all") covers them together.
`render_table` draws the rows as a rich table; `rows_to_json` gives the same figures as JSON.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field
from rich.table import Table
from rich.text import Text

from scoring.episodes import EpisodeSummary
from scoring.metrics import GroupMetrics, compute_metrics
from scoring.tau2_view import average_over_domains
from trajectories.records import RunRow, group_label

ALL_DOMAINS = "all"


class Filters(BaseModel):
    """Which episodes a leaderboard covers (None: no restriction)."""

    runs: list[str] | None = None
    env: str | None = None
    domain: str | None = None
    split: str | None = None
    models: list[str] | None = None        # group labels: model names or baseline agent names

    def accepts(self, ep: EpisodeSummary) -> bool:
        return (
            (not self.runs or ep.run_id in self.runs)
            and (self.env is None or ep.env == self.env)
            and (self.domain is None or ep.domain == self.domain)
            and (self.split is None or ep.split == self.split)
            and (not self.models or ep.label in self.models)
        )


def apply_filters(episodes: Iterable[EpisodeSummary], filters: Filters | None) -> list[EpisodeSummary]:
    if filters is None:
        return list(episodes)
    return [ep for ep in episodes if filters.accepts(ep)]


class LeaderboardRow(GroupMetrics):
    model: str                  # the group label: model name for model agents, else agent name
    agent: str                  # "model", "oracle", "noop", "random", …
    env: str
    domain: str                 # a domain, or "all" on aggregate rows
    split: str
    aggregate: bool = False     # True on the "all domains" row of a model × env × split
    # Aggregate rows: the plain mean of the domains' pass^k (τ²-bench's "average over domains";
    # the row's own figures pool the episodes, so bigger domains weigh more there).
    domain_average: dict[int, float] = Field(default_factory=dict)
    runs: list[str] = Field(default_factory=list)
    # Tasks the runs recorded as not runnable (osworld: blockers such as a missing app); None
    # where runs record none. `tasks_total` = tasks graded + not runnable: "scored 250 / 369".
    not_runnable: int | None = None
    tasks_total: int | None = None


def build_rows(episodes: Iterable[EpisodeSummary], *, aggregate: bool = True) -> list[LeaderboardRow]:
    """Group episodes by label × env × domain × split and score each group."""
    groups: dict[tuple[str, str, str, str], list[EpisodeSummary]] = defaultdict(list)
    for ep in episodes:
        groups[(ep.label, ep.env, ep.domain, ep.split)].append(ep)
    rows = [_row(key, eps) for key, eps in groups.items()]
    if aggregate:
        by_key = {(r.model, r.env, r.domain, r.split): r for r in rows}
        by_env: dict[tuple[str, str, str], list[tuple[str, list[EpisodeSummary]]]] = defaultdict(list)
        for (label, env, domain, split), eps in groups.items():
            by_env[(label, env, split)].append((domain, eps))
        for (label, env, split), parts in by_env.items():
            if len(parts) > 1:
                merged = [ep for _, eps in parts for ep in eps]
                row = _row((label, env, ALL_DOMAINS, split), merged, is_aggregate=True)
                row.domain_average = average_over_domains([by_key[(label, env, d, split)] for d, _ in parts])
                rows.append(row)
    rows.sort(key=lambda r: (r.env, r.split, r.aggregate, r.domain,
                             -(r.success_rate if r.success_rate is not None else -1.0), r.model))
    return rows


def _row(key: tuple[str, str, str, str], eps: Sequence[EpisodeSummary],
         is_aggregate: bool = False) -> LeaderboardRow:
    label, env, domain, split = key
    metrics = compute_metrics(eps)
    return LeaderboardRow(
        model=label, agent=eps[0].agent, env=env, domain=domain, split=split,
        aggregate=is_aggregate, runs=sorted({ep.run_id for ep in eps}),
        **metrics.model_dump(),
    )


def add_not_runnable(rows: list[LeaderboardRow], runs: Iterable[RunRow]) -> list[LeaderboardRow]:
    """Count the tasks each row's runs recorded as not runnable (the `not_runnable` env option,
    `{task_id: {"domain", "blockers"}}`), so a rate over the runnable tasks is never read as a
    rate over all of them; a domain with no runnable task gets a row of its own (0 graded)."""
    blocked: dict[tuple[str, str, str], dict[str, str]] = defaultdict(dict)   # (label, env, split) → id → domain
    for run in runs:
        recorded = run.config.env_options.get("not_runnable") or {}
        key = (group_label(run.agent, run.model), run.env, "test" if run.config.split == "all" else run.config.split)
        for task_id, info in recorded.items():
            blocked[key][task_id] = str((info or {}).get("domain", "")) if isinstance(info, dict) else ""
    if not blocked:
        return rows
    present = {(r.model, r.env, r.domain, r.split) for r in rows}
    for (label, env, split), tasks in blocked.items():
        agent = next((r.agent for r in rows if r.model == label and r.env == env), label)
        for domain in sorted(set(tasks.values()) - {""}):
            if (label, env, domain, split) not in present:
                rows.append(LeaderboardRow(model=label, agent=agent, env=env, domain=domain, split=split))
        mine = [r for r in rows if (r.model, r.env, r.split) == (label, env, split)]
        if len(mine) > 1 and not any(r.aggregate for r in mine):
            # One domain had episodes, so build_rows made no "all" row: that domain's figures are it.
            graded = next((r for r in mine if r.episodes or r.infra_errors or r.harness_errors), mine[0])
            rows.append(graded.model_copy(update={"domain": ALL_DOMAINS, "aggregate": True}))
    for row in rows:
        tasks = blocked.get((row.model, row.env, row.split))
        if tasks is None:
            continue
        row.not_runnable = len(tasks) if row.aggregate else sum(d == row.domain for d in tasks.values())
        row.tasks_total = row.tasks + row.not_runnable
    rows.sort(key=lambda r: (r.env, r.split, r.aggregate, r.domain,
                             -(r.success_rate if r.success_rate is not None else -1.0), r.model))
    return rows


def rows_to_json(rows: Iterable[LeaderboardRow]) -> list[dict]:
    """JSON-ready dicts (pass@k keys become strings, as JSON requires)."""
    identity = ("model", "agent", "env", "domain", "split", "aggregate", "runs")
    out = []
    for row in rows:
        data = row.model_dump(mode="json")
        out.append({**{k: data.pop(k) for k in identity}, **data})   # who and where first
    return out


def fmt_pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def fmt_interval(row: GroupMetrics) -> str:
    if row.ci_low is None or row.ci_high is None:
        return "–"
    return f"[{100 * row.ci_low:.1f}, {100 * row.ci_high:.1f}]"


def fmt_money(value: float | None) -> str:
    if value is None:
        return "–"
    if value == 0:
        return "$0"
    if value < 0.01:  # per-call and per-episode costs of small models are fractions of a cent
        return f"${value:.6f}"
    return f"${value:.4f}" if value < 1 else f"${value:,.2f}"


def fmt_num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def render_table(rows: Sequence[LeaderboardRow], title: str = "Leaderboard") -> Table:
    """A rich table of the rows (print it with a rich Console)."""
    table = Table(title=title, header_style="bold", show_lines=False)
    for name, justify in [
        ("Model / agent", "left"), ("Env", "left"), ("Domain", "left"), ("Split", "left"),
        ("Solved", "right"), ("Success [Wilson 95%]", "right"), ("pass^k", "right"),
        ("Steps", "right"), ("Tokens/ep in / out", "right"), ("$/ep", "right"),
        ("$/success", "right"), ("s/ep", "right"), ("Excluded", "right"),
    ]:
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in rows:
        k = max(row.pass_hat_k) if row.pass_hat_k else None
        pass_hat = f"^{k} {fmt_pct(row.pass_hat_k[k])}" if k else "–"
        tokens = ("–" if row.mean_tokens_in is None
                  else f"{row.mean_tokens_in:,.0f} / {row.mean_tokens_out or 0:,.0f}")
        # Excluded episodes: infrastructure errors, then harness errors (bugs) in red; a
        # high excluded share flags the row's rate as possibly biased.
        infra = Text(str(row.infra_errors), style="yellow" if row.infra_errors else "dim")
        if row.harness_errors:
            infra.append(f" +{row.harness_errors} HARNESS", style="bold red")
        if row.high_excluded_share and row.excluded_share is not None:
            infra.append(f" ⚠ {row.excluded_share:.0%} excluded", style="bold yellow")
        if row.unfinished:
            infra.append(f" +{row.unfinished} unfinished", style="dim")
        if row.not_runnable:
            infra.append(f" · scored {row.tasks}/{row.tasks_total} tasks ({row.not_runnable} not runnable)",
                         style="bold yellow")
        # Text cells throughout: names from the database must never be read as rich markup.
        table.add_row(
            Text(row.model, style="bold italic" if row.aggregate else "bold"),
            Text(row.env), Text(row.domain, style="italic" if row.aggregate else ""), Text(row.split),
            *(Text(cell) for cell in (
                f"{row.successes}/{row.episodes}", f"{fmt_pct(row.success_rate)} {fmt_interval(row)}",
                pass_hat, fmt_num(row.mean_steps), tokens, fmt_money(row.cost_per_episode),
                fmt_money(row.cost_per_success), fmt_num(row.mean_wall_time_s))),
            infra,
        )
    return table
