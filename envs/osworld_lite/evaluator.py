"""Score a finished episode with the task's own evaluator, with OSWorld's semantics.

`evaluate_task(task, resolve, last_action_type)`:

* an infeasible task scores 1 only if the agent's last action was FAIL;
* a feasible task that ended with FAIL scores 0 (nothing is read from the desktop);
* otherwise the evaluator's `postconfig` steps run (through `run_steps`, given by the
  runtime), then for each func its `result` and `expected` getter specs are resolved and the
  metric is called as `metric(result, expected, **options)`;
* several funcs combine with `conj`: "and" → 0 if any is 0, else the mean; "or" → 1 if any
  is 1, else the max. Like OSWorld, "and" stops at the first 0 and "or" at the first 1.

Getter specs are resolved here when they need nothing from the episode: `rule` (its `rules`)
and `fixture` (a generated fixture, or a `file` beside the task file, written to a temporary
folder whose path is passed on). Every other spec goes to `resolve(spec_dict)`, the runtime's
getter (sandbox files, command output, browser state …); it returns None when the thing is
missing and raises `InfrastructureError` when the environment itself failed.
"""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from envs.errors import InfrastructureError
from envs.osworld_lite.metrics import call_metric
from envs.osworld_lite.task import GetterSpec, Task
from envs.types import Evaluation

log = logging.getLogger(__name__)

Resolver = Callable[[dict[str, Any]], Any]
StepRunner = Callable[[Sequence[Any]], None]
LOCAL_SPECS = ("rule", "fixture")
SUCCESS_THRESHOLD = 1.0 - 1e-9


def _preview(value: Any, limit: int = 300) -> Any:
    """A short, JSON-friendly view of a getter's value for the evaluation details."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


class _Specs:
    """Resolves getter specs, local ones here and the rest through the runtime."""

    def __init__(self, task: Task, resolve: Resolver, workdir: Path):
        self.task, self.resolve, self.workdir, self.count = task, resolve, workdir, 0

    def __call__(self, spec: GetterSpec | None) -> Any:
        if spec is None:
            return None
        data = spec.as_dict()
        if spec.type == "rule":
            return data.get("rules")
        if spec.type == "fixture":
            return self._fixture(data)
        return self.resolve(data)

    def _fixture(self, data: dict[str, Any]) -> Path:
        from envs.osworld_lite.fixtures import materialize_fixture

        self.count += 1
        name = data.get("fixture") or data.get("file")
        if not name:
            raise ValueError(f"task {self.task.id!r}: a fixture spec needs \"fixture\" or \"file\"")
        dest = self.workdir / str(self.count) / Path(str(name)).name
        if data.get("fixture"):
            return materialize_fixture(str(data["fixture"]), dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = self.task.source_file(str(data["file"]))
        dest.write_bytes(src.read_bytes())
        return dest


def combine(scores: list[float], conj: str) -> float:
    """OSWorld's combination of several metric scores."""
    if not scores:
        return 0.0
    if conj == "or":
        return 1.0 if any(s >= SUCCESS_THRESHOLD for s in scores) else max(scores)
    return 0.0 if any(s == 0 for s in scores) else sum(scores) / len(scores)


def evaluate_task(
    task: Task,
    resolve: Resolver,
    last_action_type: str | None,
    run_steps: StepRunner | None = None,
) -> Evaluation:
    """The task's verdict on the episode. `last_action_type` is e.g. "DONE", "FAIL" or None."""
    last = (last_action_type or "").upper() or None
    if task.infeasible:
        ok = last == "FAIL"
        return Evaluation(reward=float(ok), success=ok, details={
            "infeasible": True, "last_action": last,
            "reason": "the agent declared the task infeasible" if ok else "the task is infeasible but the agent did not answer FAIL"})
    if last == "FAIL":
        return Evaluation(reward=0.0, success=False, details={
            "infeasible": False, "last_action": last, "reason": "the agent answered FAIL on a feasible task"})

    ev = task.evaluator
    if ev.postconfig:
        if run_steps is None:
            raise InfrastructureError(f"task {task.id!r} has postconfig steps but no step runner was given")
        run_steps(ev.postconfig)

    per_func: list[dict[str, Any]] = []
    scores: list[float] = []
    with tempfile.TemporaryDirectory(prefix="osworld-lite-eval-") as tmp:
        specs = _Specs(task, resolve, Path(tmp))
        for func, r_spec, e_spec, options in zip(ev.funcs, ev.results, ev.expecteds, ev.options_list):
            entry: dict[str, Any] = {"func": func, "result_type": r_spec and r_spec.type,
                                     "expected_type": e_spec and e_spec.type}
            result = specs(r_spec)
            expected = specs(e_spec)
            entry["result"] = _preview(result)
            try:
                score = call_metric(func, result, expected, options)
            except InfrastructureError:
                raise
            except Exception as err:  # e.g. an unreadable file the agent produced: no credit
                log.info("metric %s failed on task %s: %s", func, task.id, err)
                entry["error"] = f"{type(err).__name__}: {err}"
                score = 0.0
            entry["score"] = score
            per_func.append(entry)
            scores.append(score)
            if (ev.conj == "and" and score == 0) or (ev.conj == "or" and score >= SUCCESS_THRESHOLD):
                break  # OSWorld short-circuits; later funcs are not run
    reward = combine(scores, ev.conj)
    if len(scores) < len(ev.funcs):
        reward = 0.0 if ev.conj == "and" else 1.0
    return Evaluation(reward=reward, success=reward >= SUCCESS_THRESHOLD, details={
        "infeasible": False, "last_action": last, "conj": ev.conj, "metrics": per_func,
        "skipped": ev.funcs[len(scores):]})
