"""`python -m agents check-tasks`: replay every task's gold actions on a fresh DB.

For each task, OUT/<task_id>.json holds
  {"task_id", "actions": [{"name", "requestor", "error", "output"}], "final_db",
   "final_user_db" (domains with a user-side DB), "env_assertions": [{…assertion, "met"}],
   "db_match", "reward_breakdown", "reward"}.
The gold actions run the way τ²-bench's vectors and live episodes run them (each through the
environment's tool-call path, user tools as the user, with the domain's sync after each), and
the reward is what τ²-bench's evaluators give the resulting trajectory on the bases that need no
conversation (DB, ENV_ASSERTION, ACTION; COMMUNICATE and NL_ASSERTION need agent messages).
Gold actions that fail are reported as task-data problems; they are not crashes.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from envs.tau2_lite.domain import Domain
    from envs.tau2_lite.replay import GoldReplay
    from envs.tau2_lite.tasks import Task

_SAFE = re.compile(r"[^A-Za-z0-9_.\-]")
_NO_CONVERSATION_BASES = ("DB", "ENV_ASSERTION", "ACTION")


def _file_name(task_id: str) -> str:
    return _SAFE.sub("_", task_id) + ".json"


def gold_trajectory(task: Task, replay: GoldReplay) -> list[dict[str, Any]]:
    """The gold actions as a conversation: each call in a message of its requestor, then its
    tool message (what the reference's evaluator is given for a gold replay)."""
    conversation: list[dict[str, Any]] = []
    for action, result in zip(task.gold_actions, replay.results):
        conversation.append({"role": action.requestor, "content": None, "tool_calls": [
            {"id": action.action_id, "name": action.name, "arguments": dict(action.arguments),
             "requestor": action.requestor}]})
        conversation.append(result.as_message())
    return conversation


def grade_gold(domain: Domain, task: Task, replay: GoldReplay) -> dict[str, Any]:
    """Env assertions, DB match and reward of the gold trajectory, as the reference grades it."""
    from envs.tau2_lite.evaluator import action_reward, env_reward

    conversation = gold_trajectory(task, replay)
    env = env_reward(domain, task, conversation)
    basis = [b.value for b in task.reward_basis]
    breakdown: dict[str, float] = {}
    if env.get("note") is None:
        if "DB" in basis:
            breakdown["DB"] = env["db_reward"]
        if "ENV_ASSERTION" in basis:
            breakdown["ENV_ASSERTION"] = env["assertion_reward"]
    if "ACTION" in basis:
        breakdown["ACTION"] = action_reward(task, conversation)["reward"]
    reward = 1.0
    for value in breakdown.values():
        reward *= value
    return {"env_assertions": env["assertions"], "db_match": env["db_match"], "reward_basis": basis,
            "reward_breakdown": breakdown, "reward": reward,
            "not_graded": [b for b in basis if b not in _NO_CONVERSATION_BASES]}


def task_report_json(domain: Domain, task: Task, replay: GoldReplay) -> str:
    """One task's check-tasks record as JSON text (DB dumps spliced in from their cached form)."""
    graded = grade_gold(domain, task, replay)
    head = json.dumps({"task_id": task.id, "actions": replay.action_records()}, ensure_ascii=False)[:-1]
    text = f'{head}, "final_db": {domain.dump_db_json(replay.runtime.db)}'
    if replay.runtime.user_db is not None:
        text += f', "final_user_db": {domain.dump_db_json(replay.runtime.user_db)}'
    return text + ", " + json.dumps(graded, ensure_ascii=False)[1:]


def register(app: typer.Typer) -> None:
    @app.command("check-tasks", help="Replay each task's gold actions on a fresh DB and write what they returned.")
    def check_tasks(
        env: Annotated[str, typer.Option("--env", help="Environment family (tau2-lite).")] = "tau2-lite",
        domain: Annotated[str, typer.Option("--domain", help="Domain, e.g. retail, mock, telecom, card_services.")] = "retail",
        data_dir: Annotated[str | None, typer.Option("--data-dir", help="τ²-bench data directory of the domain "
                                                     "(data/tau2/domains/<domain> in a τ²-bench checkout).")] = None,
        out: Annotated[Path, typer.Option("--out", help="Directory for <task_id>.json files.")] = Path("check_tasks_out"),
        split: Annotated[str | None, typer.Option("--split", help="Only tasks of this split (train/test).")] = None,
        task_id: Annotated[list[str] | None, typer.Option("--task-id", help="Only these task ids (repeatable).")] = None,
        quiet: Annotated[bool, typer.Option("--quiet", help="Print only the summary line.")] = False,
    ) -> None:
        console = Console()
        if env != "tau2-lite":
            console.print(f"[red]error:[/] check-tasks replays gold tool calls; it supports --env tau2-lite, not {env!r}")
            raise typer.Exit(2)
        from envs.tau2_lite.domain import get_domain
        from envs.tau2_lite.replay import replay_gold

        try:
            dom = get_domain(domain, data_dir)
            tasks = list(dom.tasks.values())
        except (ValueError, FileNotFoundError) as exc:
            console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(2) from None
        if split:
            tasks = [t for t in tasks if dom.split_of(t.id) == split]
        if task_id:
            unknown = sorted(set(task_id) - set(dom.tasks))
            if unknown:
                console.print(f"[red]error:[/] unknown task id(s) in {domain}: {', '.join(unknown)}")
                raise typer.Exit(2)
            tasks = [t for t in tasks if t.id in set(task_id)]
        out.mkdir(parents=True, exist_ok=True)

        table = Table(title=f"{domain}: gold actions replayed on a fresh DB", show_lines=False)
        for col in ("task", "actions", "errors", "assertions met", "reward"):
            table.add_column(col, justify="right" if col != "task" else "left")
        problems: list[tuple[str, str, str, str]] = []
        crashed: list[tuple[str, str]] = []
        rewards: list[float] = []
        for task in tasks:
            try:
                replay = replay_gold(dom, task)
                text = task_report_json(dom, task, replay)
            except Exception as exc:  # noqa: BLE001 - a broken initial state is task data, not a crash
                crashed.append((task.id, f"{type(exc).__name__}: {exc}"))
                continue
            (out / _file_name(task.id)).write_text(text, encoding="utf-8")
            record = json.loads(text)
            rewards.append(record["reward"])
            for action_id, msg in replay.failed:
                problems.append((task.id, action_id, msg.name, msg.content))
            errors = len(replay.failed)
            if not quiet:
                checks = record["env_assertions"]
                met = f"{sum(c['met'] for c in checks)}/{len(checks)}" if checks else "-"
                table.add_row(task.id, str(len(replay.results)), f"[red]{errors}[/]" if errors else "0", met,
                              f"{record['reward']:g}")
        if not quiet:
            console.print(table)
        if problems:
            console.print(f"\n[yellow]Task-data problems:[/] {len({p[0] for p in problems})} task(s) have gold actions "
                          "that fail (the reference fails on them too; they change nothing):")
            for tid, aid, name, content in problems:
                console.print(f"  task {tid} action {aid} {name}: {content}")
        for tid, err in crashed:
            console.print(f"[red]task {tid}: initial state could not be applied:[/] {err}")
        full = sum(1 for r in rewards if r >= 1.0 - 1e-9)
        console.print(f"\n{len(tasks) - len(crashed)} task(s) replayed, {len({p[0] for p in problems})} with failing "
                      f"gold actions, {len(crashed)} with a broken initial state, {full} with reward 1 on "
                      f"DB/ENV_ASSERTION/ACTION; files in {out}")
