"""The live progress bar of a run: done/total, running success rate, excluded episodes and cost."""
from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from trajectories.records import EpisodeResult, EpisodeStatus


class RunProgress:
    def __init__(self, title: str, total: int, enabled: bool = True):
        self.title = title
        self.total = total
        self.enabled = enabled
        self.succeeded = self.failed = self.errors = self.harness_errors = self.running = 0
        self.cost = 0.0
        self._progress: Progress | None = None
        self._task = None

    def __enter__(self) -> "RunProgress":
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
                console=Console(stderr=True), transient=False)
            self._progress.__enter__()
            self._task = self._progress.add_task(self.title, total=self.total, stats=self._stats())
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def _stats(self) -> str:
        graded = self.succeeded + self.failed
        rate = f"{self.succeeded / graded:.0%}" if graded else "–"
        harness = f"  [bold red]harness errors {self.harness_errors}[/]" if self.harness_errors else ""
        return (f"success {rate} ({self.succeeded}/{graded})  infra errors {self.errors}{harness}  "
                f"running {self.running}  cost ${self.cost:.4f}")

    def started(self, task_id: str) -> None:
        self.running += 1
        self._refresh(0)

    def finished(self, result: EpisodeResult) -> None:
        self.running -= 1
        self.cost += result.cost_usd
        if result.status == EpisodeStatus.SUCCEEDED:
            self.succeeded += 1
        elif result.status == EpisodeStatus.FAILED:
            self.failed += 1
        elif result.status == EpisodeStatus.HARNESS_ERROR:
            self.harness_errors += 1
        else:
            self.errors += 1
        self._refresh(1)

    def _refresh(self, advance: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=advance, stats=self._stats())
