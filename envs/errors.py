"""Errors shared by all environments."""
from __future__ import annotations

import difflib
from collections.abc import Iterable


class InfrastructureError(RuntimeError):
    """The environment itself failed (display died, app crashed, sandbox missing).

    Never counted as an agent failure: the runner records the episode as an
    infrastructure error and retries it on resume.
    """


class MissingDependencyError(InfrastructureError):
    """A system dependency is missing; the message carries the command that installs it."""

    def __init__(self, what: str, install: str):
        super().__init__(f"{what} is not installed. Install it with: {install}")
        self.what = what
        self.install = install


class UnknownIdError(KeyError):
    """An unknown env/task/domain/model/agent id; the message lists close matches."""

    def __init__(self, kind: str, given: str, known: Iterable[str]):
        known = sorted(set(known))
        close = difflib.get_close_matches(given, known, n=5, cutoff=0.5)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
        self.message = f"unknown {kind} {given!r}.{hint} Known: {shown}"
        self.kind, self.given, self.close_matches = kind, given, close
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return self.message
