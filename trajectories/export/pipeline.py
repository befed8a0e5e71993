"""Run an export: select episodes from the store, convert, write the format, pairs, manifest.

Streaming: episodes come from `TrajectoryStore.iter_episodes` in batches and each one's steps
are loaded, converted and written before the next is read, so memory stays flat however many
episodes there are. Only small things accumulate: counters, the dedupe hashes, and (with
``pairs``) the ids of candidate episodes per task.
"""
from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from trajectories.export.card import CardStats, write_card
from trajectories.export.convert import action_signature, to_sample, to_samples
from trajectories.export.desktop import ConversionError
from trajectories.export.formats.base import get_exporter
from trajectories.export.images import ImageError, ImageSink
from trajectories.export.manifest import MANIFEST, Tally, counts_of, write_manifest
from trajectories.export.options import ExportOptions
from trajectories.export.pairs import PAIRS_FILE, PAIRS_META_FILE, write_pairs
from trajectories.export.sample import EpisodeData, EpisodeMeta, Sample
from trajectories.export.secrets import SecretScrubber
from trajectories.export.tooluse import SpecProvider

FINISHED = ("succeeded", "failed")
# Export metadata lives under meta/, never beside the data files: a trainer that loads the
# export folder (ms-swift reads every *.jsonl in it) must find nothing but training rows.
META_DIR = "meta"
INDEX_FILE = f"{META_DIR}/episodes.jsonl"


# (env, domain, task id, instruction, env options) -> why the task leaks test content, or None.
# Built on the environments' test splits by the caller (envs.decontamination.LeakGuard), since
# trajectories does not import envs; a `summary()` method, if any, goes into the manifest.
ContentGuard = Callable[[str, str, str, str, dict[str, Any]], "str | None"]


class ExportError(RuntimeError):
    """The export cannot start (bad output directory, nothing to export, …)."""


@dataclass
class ExportReport:
    out_dir: Path
    format: str
    samples: int
    episodes: int
    steps: int
    images: int
    pairs: int
    skipped: dict[str, int]
    seconds: float
    manifest: Path
    files: list[Path] = field(default_factory=list)


class _Source:
    """The store, seen through export's filters (run metadata cached per run)."""

    def __init__(self, store: Any, options: ExportOptions):
        self.store = store
        self.options = options
        self._runs: dict[str, dict[str, Any]] = {}
        tasks = store.get_tasks()
        self.task_splits = {(t["env"], t["id"]): t["split"] for t in tasks}
        self.task_instructions = {(t["env"], t["id"]): t.get("instruction") or "" for t in tasks}

    def rows(self) -> Iterator[Any]:
        o = self.options
        split = None if o.split == "all" else o.split
        for row in self.store.iter_episodes(run_ids=o.runs, env=o.env, domain=o.domain, split=split,
                                            statuses=FINISHED, batch_size=o.batch_size):
            if o.models and row.model not in o.models and row.agent not in o.models:
                continue
            yield row

    def env_options(self, run_id: str) -> dict[str, Any]:
        if run_id not in self._runs:
            self._runs[run_id] = dict(self.store.get_run(run_id).config.env_options)
        return self._runs[run_id]

    def episode(self, row: Any) -> EpisodeData:
        meta = EpisodeMeta(**dict(row), env_options=self.env_options(row.run_id))
        return EpisodeData(meta=meta, steps=self.store.get_steps(row.id))


def _reason(exc: Exception) -> str:
    """A short, episode-independent reason (so that skips of one kind add up)."""
    text = re.sub(r"^step \d+: ", "", str(exc)).split(" (")[0]
    text = re.sub(r"[0-9a-f]{12}…", "…", text)
    return text[:100]


def _selected(row: Any, options: ExportOptions) -> bool:
    if options.min_reward is None:
        return bool(row.success)
    return row.reward is not None and row.reward >= options.min_reward


def _prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} exists and is not a directory")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ExportError(f"{out_dir} is not empty; export into a new or empty directory "
                          "(an export is never mixed with another)")
    out_dir.mkdir(parents=True, exist_ok=True)


def export_trajectories(store: Any, options: ExportOptions, *, spec_provider: SpecProvider | None = None,
                        progress: bool = False, console: Console | None = None,
                        environ: Mapping[str, str] | None = None,
                        content_guard: ContentGuard | None = None,
                        collect_info: Mapping[str, Any] | None = None) -> ExportReport:
    """Export the episodes `options` selects from `store`; see the package docstring."""
    options.check_leak_guard()
    started = time.monotonic()
    exporter_cls = get_exporter(options.format)  # unknown format: fail before touching the disk
    out_dir = options.out_dir
    _prepare_out_dir(out_dir)
    source = _Source(store, options)
    scrubber = SecretScrubber(environ)
    images = ImageSink(out_dir, store.get_artifact)
    exporter = exporter_cls(out_dir, images, split=options.split)
    tally = Tally()
    stats = CardStats()
    seen_signatures: set[str] = set()
    # task key -> ([(id, producer)] of successes, [(id, producer)] of failures) for pairs
    candidates: dict[tuple[str, str], tuple[list[tuple[str, str]], list[tuple[str, str]]]] = \
        defaultdict(lambda: ([], []))
    total = sum(1 for _ in source.rows()) if progress else None
    chosen = set(options.episodes) if options.episodes is not None else None

    def convert(row: Any) -> tuple[EpisodeData, list[Sample]] | None:
        episode = source.episode(row)
        try:
            return episode, to_samples(episode, options, scrubber, store.get_artifact, spec_provider)
        except ConversionError as exc:
            tally.skipped[f"not convertible: {_reason(exc)}"] += 1
            return None

    exporter.open()
    (out_dir / INDEX_FILE).parent.mkdir(parents=True, exist_ok=True)
    index = (out_dir / INDEX_FILE).open("w", encoding="utf-8")
    bar = Progress(TextColumn("export {task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[samples]} samples"), TimeRemainingColumn(),
                   console=console, disable=not progress, transient=False)
    try:
        with bar:
            task = bar.add_task(options.format, total=total, samples=0)
            for row in source.rows():
                tally.episodes_seen += 1
                bar.update(task, advance=1, samples=tally.samples)
                if source.task_splits.get((row.env, row.task_id), row.split) == "test" and not options.allow_test:
                    tally.skipped["test-split task (leak guard)"] += 1
                    continue
                if content_guard is not None and not options.allow_test:
                    leak = content_guard(row.env, row.domain or "", row.task_id,
                                         source.task_instructions.get((row.env, row.task_id), ""),
                                         source.env_options(row.run_id))
                    if leak:
                        tally.skipped["reuses test-task content (leak guard)"] += 1
                        continue
                if options.pairs and row.success is not None:
                    candidates[(row.env, row.task_id)][0 if row.success else 1].append(
                        (row.id, row.model or row.agent))
                if not _selected(row, options):
                    tally.skipped["below min reward" if options.min_reward is not None else "not a success"] += 1
                    continue
                if chosen is not None and row.id not in chosen:
                    tally.skipped["not the chosen episode of its task"] += 1
                    continue
                converted = convert(row)
                if converted is None:
                    continue
                episode, samples = converted
                if options.dedupe:
                    signature = action_signature(episode)
                    if signature in seen_signatures:
                        tally.skipped["duplicate action sequence"] += 1
                        continue
                    seen_signatures.add(signature)
                try:
                    images.prefetch([sha for sample in samples for sha in sample.image_refs()])
                except ImageError as exc:
                    tally.skipped[f"screenshot unusable: {_reason(exc)}"] += 1
                    continue
                for sample in samples:
                    exporter.write(sample)
                    index.write(json.dumps(sample.meta, ensure_ascii=False) + "\n")
                    tally.add_sample(len(sample.image_refs()))
                    stats.add(sample, images.read)
                stats.add_episode(row)
                tally.add_episode(samples[0].meta, sum(1 for s in episode.steps if s.action is not None))
            if options.pairs:
                tally.pairs, pair_skips = write_pairs(
                    candidates, options.out_dir, images,
                    lambda episode_id: to_sample(source.episode(store.get_episode(episode_id)), options, scrubber,
                                                 store.get_artifact, spec_provider))
                tally.skipped.update(pair_skips)
    except BaseException:
        exporter.abort()
        index.close()
        raise
    files = exporter.close()
    index.close()
    summary = content_guard.summary() if hasattr(content_guard, "summary") else None
    runs = [store.get_run(run_id) for run_id in sorted(tally.source_runs)]
    write_card(out_dir, fmt=options.format, filters=options.filters(), shaping=options.shaping(),
               counts=counts_of(tally), stats=stats, decontamination=summary,
               collect=dict(collect_info) if collect_info else None,
               source_runs=[{"id": r.id, "env": r.env, "producer": r.model or r.agent, "git_revision": r.git_revision,
                             "created_at": r.created_at.isoformat(timespec="seconds")} for r in runs])
    manifest = write_manifest(
        out_dir, fmt=options.format, filters=options.filters(), shaping=options.shaping(), tally=tally,
        secrets_redacted=scrubber.count,
        extra={"index_file": INDEX_FILE, "data_files": [f.relative_to(out_dir).as_posix() for f in files],
               **({"pairs_file": PAIRS_FILE, "pairs_meta_file": PAIRS_META_FILE} if options.pairs else {}),
               "card_file": "README.md",
               **({"decontamination": summary} if summary is not None else {}),
               **({"collect": dict(collect_info)} if collect_info else {})})
    return ExportReport(out_dir=out_dir, format=options.format, samples=tally.samples,
                        episodes=tally.episodes, steps=tally.steps,
                        images=tally.images, pairs=tally.pairs, skipped=dict(tally.skipped),
                        seconds=time.monotonic() - started, manifest=manifest, files=files)


__all__ = ["ContentGuard", "ExportError", "ExportReport", "MANIFEST", "export_trajectories"]
