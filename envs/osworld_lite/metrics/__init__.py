"""Registry of evaluation metrics, under OSWorld's names and with OSWorld's semantics.

Every metric is called as `metric(result, expected, **options)` (OSWorld's argument order):
`result` is what the result getter returned (a host path to a copied file, a command's output,
a dict from the browser …), `expected` what the expected getter returned (often the `rules` of
a rule spec). A metric returns a score in [0, 1], or raises where OSWorld's function raises
(the evaluator then scores 0 and records why). A metric's keyword parameters are exactly
OSWorld's options: `check_options` refuses any other. osworld-lite's own variants carry a
`lite_` name, so an OSWorld name always means OSWorld's behaviour (tests/osworld_parity checks
them against OSWorld's recorded scores). `UNSUPPORTED` and `blocker()` say which uses cannot be
scored here, and why.

Modules by OSWorld's grouping: general (strings, JSON, lists, records), files (text, CSV),
osworld_table (compare_table), docs and writer (word processor), slides (Impress), images and
gimp (pictures), pdf, browser (Chrome), vlc, thunderbird, other (settings files, archives,
books, tags, system); table (lite_compare_table) and matching (OSWorld's value rules).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from envs.errors import UnknownIdError

Metric = Callable[..., float]
METRICS: dict[str, Metric] = {}
# OSWorld metrics not implemented here, with the reason (a task using one is blocked).
UNSUPPORTED: dict[str, str] = {
    "compare_audios": "compares audio by librosa/acoustid fingerprints, not installed here",
    "compare_videos": "compares video frames with OpenCV, not installed here",
    "compare_image_text": "reads text from an image with EasyOCR (a neural OCR model), not installed here",
    "check_python_file_by_test_suite": "imports and runs the agent's Python file on the host in OSWorld",
}


def metric(*names: str) -> Callable[[Metric], Metric]:
    """Register a metric under its name and any OSWorld aliases."""
    def deco(fn: Metric) -> Metric:
        for name in names or (fn.__name__,):
            METRICS[name] = fn
        return fn
    return deco


def get_metric(name: str) -> Metric:
    if name not in METRICS:
        raise UnknownIdError("metric", name, METRICS)
    return METRICS[name]


class UnknownMetricOption(ValueError):
    """A task gives a metric an option it does not take (a task-file bug, never dropped)."""


def check_options(name: str, options: dict[str, Any] | None) -> None:
    """Raise UnknownMetricOption when `options` names a keyword the metric does not accept."""
    fn = get_metric(name)
    params = inspect.signature(fn).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    accepted = {n for n, p in list(params.items())[1:] if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    unknown = sorted(set(options or {}) - accepted)
    if unknown:
        raise UnknownMetricOption(f"metric {name!r} has no option {', '.join(map(repr, unknown))}; "
                                  f"it takes {', '.join(sorted(accepted)) or 'none'}")


def blocker(name: str, options: dict[str, Any] | None = None) -> str | None:
    """Why a task's use of metric `name` with `options` cannot be scored here (None when it can):
    a metric not implemented, an option it does not take, or a `compare_table` rule not
    implemented. The blockers list reads this, so such a task is never scored."""
    if name in UNSUPPORTED:
        return f"metric not available: {name} ({UNSUPPORTED[name]})"
    if name not in METRICS:
        return f"metric not available: {name}"
    try:
        check_options(name, options)
    except UnknownMetricOption as err:
        return str(err)
    if name == "compare_table":
        from envs.osworld_lite.metrics.osworld_table import RULES, UNSUPPORTED_RULES

        used = {str(r.get("type")) for r in (options or {}).get("rules") or [] if isinstance(r, dict)}
        kinds = sorted((used & UNSUPPORTED_RULES) | (used - RULES))
        if kinds:
            return f"compare_table rule not available: {', '.join(kinds)}"
    return None


def call_metric(name: str, result: Any, expected: Any = None, options: dict[str, Any] | None = None) -> float:
    """Like OSWorld: `metric(result, expected, **options)`, or `metric(result, **options)`
    when the task has no expected spec. Unknown options raise UnknownMetricOption."""
    fn = get_metric(name)
    opts = options or {}
    check_options(name, opts)
    score = fn(result, **opts) if expected is None else fn(result, expected, **opts)
    return float(score)


# Importing the modules fills the registry.
from envs.osworld_lite.metrics import general, files, table, docs, browser, images, osworld_table  # noqa: E402,F401,I001
from envs.osworld_lite.metrics import pdf, slides, gimp, writer, vlc, thunderbird, other  # noqa: E402,F401
