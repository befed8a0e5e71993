"""Errors shared by all environments."""
from __future__ import annotations

import difflib
from collections.abc import Iterable

from envs.endings import Termination


class InfrastructureError(RuntimeError):
    """The environment itself failed (display died, app crashed, sandbox missing).

    Never counted as an agent failure: the runner records the episode as an
    infrastructure error and retries it on resume.
    """


class ServiceConfigurationError(InfrastructureError):
    """A service the environment needs (the user simulator's or judge's model endpoint) refused
    the request for a reason retrying cannot fix (bad request, refused key): the run stops."""


class AgentCausedError(RuntimeError):
    """The agent broke its own episode: scored 0 and kept in every denominator.

    Raised by an environment when, after the agent acted, the episode can no longer go on or
    be evaluated because of what the agent did (see envs/endings.py). `termination` says how.
    """

    termination: Termination = Termination.ENV_DESTROYED


class EnvironmentDestroyed(AgentCausedError):
    """The agent killed or wrecked its environment (its sandbox, desktop or an app)."""

    termination = Termination.ENV_DESTROYED


class EvaluationTampered(AgentCausedError):
    """The agent interfered with the evaluation (its channel, a getter's process, the app it reads)."""

    termination = Termination.TAMPERED


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
