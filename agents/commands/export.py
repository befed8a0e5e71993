"""`python -m agents export`: stored trajectories -> fine-tuning data for Qwen3.5-9B."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from agents.settings import ArtifactsOption, DbOption, open_store


class RegistrySpecProvider:
    """System prompt and tools of a tool domain, as its environment gives them to the agent.

    Built on the environment registry (which `trajectories` may not import), one environment
    per (family, domain), cached. Returns None when the environment cannot be built (the
    exporter then falls back to the agent's recorded request).
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], dict[str, Any] | None] = {}
        self.problems: dict[tuple[str, str], str] = {}

    def __call__(self, meta: Any) -> dict[str, Any] | None:
        key = (meta.env, meta.domain)
        if key not in self._cache:
            self._cache[key] = self._build(meta)
        return self._cache[key]

    def _build(self, meta: Any) -> dict[str, Any] | None:
        from envs.registry import get_family

        env = None
        try:
            family = get_family(meta.env)
            # Only the spec is read: no user simulator or judge ever runs here.
            options = {"domain": meta.domain, **meta.env_options, "user": "scripted"}
            options.pop("user_model", None)
            options.pop("judge_model", None)
            env = family.make(meta.task_id, **options)
            core = env.unwrapped
            try:
                spec = core.agent_spec()
            except Exception:  # some environments only know their spec after a reset
                env.reset(seed=0)
                spec = core.agent_spec()
            if spec.kind != "tools":
                return None
            return {"system_prompt": spec.system_prompt, "tools": list(spec.tools)}
        except Exception as exc:
            self.problems[(meta.env, meta.domain)] = f"{type(exc).__name__}: {exc}"
            return None
        finally:
            if env is not None:
                try:
                    env.close()
                except Exception:
                    pass


def register(app: typer.Typer) -> None:
    @app.command("export", help="Export stored trajectories as fine-tuning data for Qwen3.5-9B "
                 "(desktop episodes as computer_use calls, tool domains as function calls).")
    def export(
        format: Annotated[str, typer.Option("--format", "-f", help="openai, swift, llamafactory, trl or parquet; tau2-results: a run as τ²-bench's results file")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Output directory (new or empty)")],
        env: Annotated[str | None, typer.Option(help="Environment families, comma-separated")] = None,
        domain: Annotated[str | None, typer.Option(help="Domains, comma-separated")] = None,
        models: Annotated[str | None, typer.Option(help="Models (or baseline agents), comma-separated")] = None,
        runs: Annotated[str | None, typer.Option("--runs", "--run", help="Run ids, comma-separated (tau2-results: a run, or a --domain all group)")] = None,
        min_reward: Annotated[float | None, typer.Option(help="Keep episodes with reward >= this (default: successes only)")] = None,
        split: Annotated[str, typer.Option(help="train, test or all")] = "train",
        max_images: Annotated[int | None, typer.Option(help="Keep only the last N screenshots in context")] = None,
        thinking: Annotated[str, typer.Option(help="keep: reasoning as reasoning_content; drop: leave it out")] = "drop",
        coordinates: Annotated[str, typer.Option(help="Qwen coordinate convention: relative (0-1000 grid) or absolute")] = "relative",
        per_turn: Annotated[bool, typer.Option("--per-turn", help="One sample per model turn (the request and its reply): "
                                               "trains every turn's reasoning under Qwen3.5's template")] = False,
        dedupe: Annotated[bool, typer.Option("--dedupe", help="Drop episodes repeating the actions of another on the same task")] = False,
        allow_test: Annotated[bool, typer.Option("--allow-test", help="Allow exporting test-split tasks")] = False,
        pairs: Annotated[bool, typer.Option("--pairs", help="Also write DPO preference pairs (pairs/pairs.jsonl, provenance in meta/pairs.jsonl)")] = False,
        progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar")] = True,
        json_summary: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
        db: DbOption = None,
        artifacts: ArtifactsOption = None,
    ) -> None:
        from trajectories.export import ExportError, ExportOptions, LeakGuardError, export_trajectories

        if format == "tau2-results":   # a whole run in τ²-bench's own format, not training data
            from agents.tau2_export import export_command

            export_command(runs, out, db, artifacts, json_summary)
            return
        try:
            options = ExportOptions(
                format=format, out_dir=out, env=env, domain=domain, models=models, runs=runs,
                min_reward=min_reward, split=split, allow_test=allow_test, max_images=max_images,
                thinking=thinking, coordinates=coordinates, per_turn=per_turn, dedupe=dedupe, pairs=pairs)
        except ValidationError as exc:
            problems = "; ".join(f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}"
                                 for e in exc.errors())
            typer.secho(f"error: {problems}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None
        from envs.decontamination import LeakGuard

        store = open_store(db, artifacts)
        provider = RegistrySpecProvider()
        try:
            # Beyond the split recorded per task: no exported task may reuse a test task's content.
            report = export_trajectories(store, options, spec_provider=provider, progress=progress,
                                         content_guard=LeakGuard())
        except (LeakGuardError, ExportError) as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None
        finally:
            store.close()
        summary = {"out": str(report.out_dir), "format": report.format, "samples": report.samples,
                   "episodes": report.episodes,
                   "steps": report.steps, "images": report.images, "pairs": report.pairs,
                   "skipped": report.skipped, "seconds": round(report.seconds, 2),
                   "manifest": str(report.manifest)}
        if json_summary:
            typer.echo(json.dumps(summary))
            return
        typer.echo(f"exported {report.samples} samples from {report.episodes} episodes "
                   f"({report.steps} steps, {report.images} images"
                   f"{f', {report.pairs} pairs' if pairs else ''}) as {report.format} to {report.out_dir}")
        for reason, n in sorted(report.skipped.items()):
            typer.echo(f"  skipped {n}: {reason}")
        for (fam, dom), problem in provider.problems.items():
            typer.echo(f"  note: {fam}/{dom} spec from recorded requests ({problem})")
        if report.samples == 0:
            typer.secho("nothing was exported; " + _filter_hints(options, db, artifacts), fg=typer.colors.YELLOW, err=True)
            raise typer.Exit(1)


def _filter_hints(options: Any, db: str | None, artifacts: str | None) -> str:
    """For filters that match no stored run: what the store does hold, closest first."""
    import difflib

    store = open_store(db, artifacts)
    try:
        runs = store.list_runs()
    finally:
        store.close()
    known = {"env": {r.env for r in runs}, "models": {r.model or r.agent for r in runs},
             "runs": {r.id for r in runs}}
    hints = []
    for name, values in known.items():
        for given in getattr(options, name) or []:
            if given not in values:
                close = difflib.get_close_matches(given, sorted(values), n=3, cutoff=0.4)
                hints.append(f"--{name} {given!r} matches no run" + (f" (did you mean {', '.join(close)}?)" if close else "")
                             + f"; known: {', '.join(sorted(values)[:10]) or 'none'}")
    return "; ".join(hints) or "see the skip reasons above and `python -m agents list runs`"
