"""`python -m agents check-tasks`: replay every task's gold actions on a fresh DB.

For each task, OUT/<task_id>.json = {"task_id", "actions": [{"name", "error", "output"}],
"final_db": <the whole final DB in db.json layout>} (plus "final_user_db" for domains with a
user-side DB). Gold actions that fail are reported as task-data problems; they are not crashes.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

_SAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def _file_name(task_id: str) -> str:
    return _SAFE.sub("_", task_id) + ".json"


def register(app: typer.Typer) -> None:
    @app.command("check-tasks", help="Replay each task's gold actions on a fresh DB and write what they returned.")
    def check_tasks(
        env: Annotated[str, typer.Option("--env", help="Environment family (tau2-lite).")] = "tau2-lite",
        domain: Annotated[str, typer.Option("--domain", help="Domain, e.g. retail, mock, card_services.")] = "retail",
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
        for col in ("task", "actions", "errors", "changed records"):
            table.add_column(col, justify="right" if col != "task" else "left")
        problems: list[tuple[str, str, str, str]] = []
        crashed: list[tuple[str, str]] = []
        for task in tasks:
            try:
                replay = replay_gold(dom, task)
            except Exception as exc:  # noqa: BLE001 - a broken initial state is task data, not a crash
                crashed.append((task.id, f"{type(exc).__name__}: {exc}"))
                continue
            head = json.dumps({"task_id": task.id, "actions": replay.action_records()})[:-1]
            text = f'{head}, "final_db": {replay.runtime.db.dump_json()}'
            if replay.runtime.user_db is not None:
                text += f', "final_user_db": {replay.runtime.user_db.dump_json()}'
            (out / _file_name(task.id)).write_text(text + "}", encoding="utf-8")
            for action_id, msg in replay.failed:
                problems.append((task.id, action_id, msg.name, msg.content))
            changed = len(replay.runtime.db.changes())
            errors = len(replay.failed)
            if not quiet:
                table.add_row(task.id, str(len(replay.results)), f"[red]{errors}[/]" if errors else "0", str(changed))
        if not quiet:
            console.print(table)
        if problems:
            console.print(f"\n[yellow]Task-data problems:[/] {len({p[0] for p in problems})} task(s) have gold actions "
                          "that fail (the reference fails on them too; they change nothing):")
            for tid, aid, name, content in problems:
                console.print(f"  task {tid} action {aid} {name}: {content}")
        for tid, err in crashed:
            console.print(f"[red]task {tid}: initial state could not be applied:[/] {err}")
        console.print(f"\n{len(tasks) - len(crashed)} task(s) replayed, {len({p[0] for p in problems})} with failing "
                      f"gold actions, {len(crashed)} with a broken initial state; files in {out}")
