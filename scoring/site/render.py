"""Rendering the site's pages with Jinja2 (autoescaped: everything from trajectories is text).

The same functions serve the static site (`scoring.site.build`) and the live viewer
(`scoring.server`), so both give identical pages with the same relative links:

    index.html               leaderboard, model × domain matrix, paired comparisons, runs
    tasks.html               per-task matrix: which model solved which task
    episodes/<id>.html       trajectory viewer
    artifacts/<sha256>.<ext> screenshots
    style.css

Pages carry no script at all, and a strict Content-Security-Policy forbids any as a second
line of defence should an escaping bug ever let markup through.
"""
from __future__ import annotations

import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined

from scoring.compare import PairedComparison, compare
from scoring.episodes import EpisodeSummary
from scoring.leaderboard import LeaderboardRow, build_rows, fmt_interval, fmt_money, fmt_num, fmt_pct
from scoring.site.episode_view import EpisodeView
from scoring.tau2_view import tau2_summaries

CSP = ("default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; "
       "form-action 'none'")
MAX_COMPARED_LABELS = 8            # pairwise comparisons grow quadratically
HASHED_PREFIX = "x-"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}$")
MIME_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


def page_name(episode_id: str) -> str:
    """The file name of an episode page (ids that are not plain names are hashed)."""
    if _SAFE_ID.match(episode_id) and not episode_id.endswith("."):
        return f"{episode_id}.html"
    return f"{HASHED_PREFIX}{hashlib.sha256(episode_id.encode()).hexdigest()[:32]}.html"


def artifact_name(sha256: str, mime: str) -> str:
    return f"{sha256}.{MIME_EXT.get(mime, 'bin')}"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}"


def _pval(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("scoring.site", "templates"),
        autoescape=True,                 # every template, whatever its extension
        undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(pct=fmt_pct, interval=fmt_interval, money=fmt_money, num=fmt_num,
                       signed=_signed, pval=_pval, page=page_name, thousands="{:,}".format)
    return env


def stylesheet() -> str:
    return resources.files("scoring.site").joinpath("static/style.css").read_text(encoding="utf-8")


def _common(root: str) -> dict:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return {"csp": CSP, "root": root, "generated": f"generated {stamp}"}


@dataclass
class DomainMatrix:
    labels: list[str]
    columns: list[tuple[str, str, str]]                  # (env, domain, split)
    cells: dict[tuple[str, str, str, str], LeaderboardRow]


def domain_matrix(rows: Sequence[LeaderboardRow]) -> DomainMatrix:
    labels = sorted({r.model for r in rows})
    columns = sorted({(r.env, r.domain, r.split) for r in rows},
                     key=lambda c: (c[0], c[2], c[1] == "all", c[1]))
    cells = {(r.model, r.env, r.domain, r.split): r for r in rows}
    return DomainMatrix(labels, columns, cells)


def pairwise(episodes: Sequence[EpisodeSummary]) -> list[tuple[str, str, PairedComparison]]:
    """Every pair of labels that share graded tasks, per env × split (best first)."""
    groups: dict[tuple[str, str], list[EpisodeSummary]] = defaultdict(list)
    for ep in episodes:
        groups[(ep.env, ep.split)].append(ep)
    out = []
    for (env, split), eps in sorted(groups.items()):
        rates: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for ep in eps:
            if ep.evaluated:
                rates[ep.label][0] += int(ep.solved)
                rates[ep.label][1] += 1
        ranked = sorted(rates, key=lambda lab: (-rates[lab][0] / rates[lab][1], lab))[:MAX_COMPARED_LABELS]
        for a, b in itertools.combinations(ranked, 2):
            result = compare(eps, a, b, resamples=2000)
            if result.tasks:
                out.append((env, split, result))
    return out


def render_index(episodes: Sequence[EpisodeSummary], runs: Sequence = (), root: str = "") -> str:
    rows = build_rows(episodes)
    return environment().get_template("index.html.jinja").render(
        title="Leaderboard", rows=rows, matrix=domain_matrix(rows), comparisons=pairwise(episodes),
        tau2=tau2_summaries(episodes),
        runs=list(runs), n_episodes=len(episodes), **_common(root),
    )


@dataclass
class TaskLine:
    env: str
    domain: str
    task_id: str
    instruction: str = ""
    by_label: dict[str, list[EpisodeSummary]] = field(default_factory=dict)

    def graded(self, label: str) -> int:
        return sum(1 for ep in self.by_label.get(label, []) if ep.evaluated)

    def solved(self, label: str) -> int:
        return sum(1 for ep in self.by_label.get(label, []) if ep.evaluated and ep.solved)

    def cell_class(self, label: str) -> str:
        n = self.graded(label)
        if not n:
            return "none"
        c = self.solved(label)
        return "all" if c == n else "some" if c else "zero"


def task_lines(episodes: Sequence[EpisodeSummary]) -> tuple[list[str], list[TaskLine]]:
    lines: dict[tuple[str, str, str], TaskLine] = {}
    for ep in sorted(episodes, key=lambda e: (e.trial, e.run_id)):
        line = lines.setdefault(ep.task_key, TaskLine(ep.env, ep.domain, ep.task_id))
        line.instruction = line.instruction or (ep.instruction or "")
        line.by_label.setdefault(ep.label, []).append(ep)
    labels = sorted({ep.label for ep in episodes})
    return labels, [lines[k] for k in sorted(lines)]


def render_tasks(episodes: Sequence[EpisodeSummary], root: str = "") -> str:
    labels, tasks = task_lines(episodes)
    # Per label: tasks solved at least once / tasks with a graded trial.
    totals = {label: (sum(1 for t in tasks if t.solved(label)), sum(1 for t in tasks if t.graded(label)))
              for label in labels}
    return environment().get_template("tasks.html.jinja").render(
        title="Tasks", labels=labels, tasks=tasks, totals=totals, **_common(root))


def render_episode(view: EpisodeView, attempts: Sequence[EpisodeSummary] = (), root: str = "../") -> str:
    """An episode page; `attempts` are the episodes of the same task (this one included)."""
    ep = view.episode
    others = sorted((a for a in attempts if a.task_key == ep.task_key and a.episode_id != ep.episode_id),
                    key=lambda a: (a.label, a.run_id, a.trial))
    return environment().get_template("episode.html.jinja").render(
        title=f"{ep.task_id} · {ep.label} · trial {ep.trial}", view=view, attempts=others, **_common(root))
