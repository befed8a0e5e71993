"""Why an episode ended, and who is to blame for it: the one rule every score follows.

Every episode ends with a `Termination`. Its `EndingRule` says

* `blame`: who caused the ending. `AGENT` endings count: the episode is graded and stays in
  every denominator. `INFRASTRUCTURE` endings (the environment could not start or reset before
  the agent acted, the model endpoint stayed down after retries) are excluded from every rate
  and re-run on resume. `HARNESS` endings are bugs in this project: excluded, re-run on resume,
  and reported loudly so they are never silently dropped. `RUN` endings are episodes cut off by
  the run itself stopping (the error budget ran out, a configuration error, Ctrl-C): they are
  not finished and run again on resume.
* `scoring`: `EVALUATOR` — the task's own evaluator grades the state as the agent left it (the
  original benchmark's rule for that ending applies there: OSWorld grades at max steps,
  τ²-bench scores premature endings 0); `ZERO` — reward 0 without evaluating (the agent made
  evaluation meaningless or impossible); `NONE` — not scored at all.

docs/scoring.md carries the same table for readers. This module imports nothing of the
project, so environments, the runner, the store and scoring all read the same rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Termination(StrEnum):
    """Why an episode ended. Shared vocabulary of envs, runner, store and scoring."""

    AGENT_DONE = "agent_done"              # the agent declared success (DONE / final answer)
    AGENT_FAIL = "agent_fail"              # the agent declared the task infeasible (FAIL)
    AGENT_ERROR = "agent_error"            # unusable model output past the correction limit
    USER_STOP = "user_stop"                # tau2: the simulated user ended the conversation
    TRANSFER = "transfer"                  # tau2: transferred to a human agent
    OUT_OF_SCOPE = "out_of_scope"          # tau2: the user simulator left its scenario
    TOO_MANY_ERRORS = "too_many_errors"    # tau2: too many failing tool calls
    MAX_STEPS = "max_steps"
    TIMEOUT = "timeout"                    # the agent's working time ran out
    CONTEXT_EXHAUSTED = "context_exhausted"  # the history does not fit even after trimming
    ENV_DESTROYED = "env_destroyed"        # the agent killed or wrecked its own environment
    TAMPERED = "tampered"                  # the agent interfered with the evaluation
    INFRA_ERROR = "infra_error"            # environment start/reset or model endpoint failed
    HARNESS_ERROR = "harness_error"        # a bug in this project
    CANCELLED = "cancelled"                # the run stopped before the episode finished


class Blame(StrEnum):
    AGENT = "agent"
    INFRASTRUCTURE = "infrastructure"
    HARNESS = "harness"
    RUN = "run"


class Scoring(StrEnum):
    EVALUATOR = "evaluator"
    ZERO = "zero"
    NONE = "none"


@dataclass(frozen=True)
class EndingRule:
    termination: Termination
    blame: Blame
    scoring: Scoring
    meaning: str

    @property
    def counts(self) -> bool:
        """Whether the episode is graded and stays in every denominator."""
        return self.blame is Blame.AGENT

    @property
    def rerun_on_resume(self) -> bool:
        return not self.counts


_A, _I, _H, _R = Blame.AGENT, Blame.INFRASTRUCTURE, Blame.HARNESS, Blame.RUN
_E, _Z, _N = Scoring.EVALUATOR, Scoring.ZERO, Scoring.NONE

RULES: dict[Termination, EndingRule] = {r.termination: r for r in (
    EndingRule(Termination.AGENT_DONE, _A, _E, "the agent said it is done"),
    EndingRule(Termination.AGENT_FAIL, _A, _E, "the agent said the task cannot be done"),
    EndingRule(Termination.AGENT_ERROR, _A, _E,
               "the model's output stayed unusable past the correction limit"),
    EndingRule(Termination.USER_STOP, _A, _E, "the simulated user ended the conversation"),
    EndingRule(Termination.TRANSFER, _A, _E, "the agent transferred the user to a human"),
    EndingRule(Termination.OUT_OF_SCOPE, _A, _E, "the simulated user left its scenario"),
    EndingRule(Termination.TOO_MANY_ERRORS, _A, _E, "too many failing tool calls"),
    EndingRule(Termination.MAX_STEPS, _A, _E, "the step limit was reached"),
    EndingRule(Termination.TIMEOUT, _A, _Z,
               "the agent's working time (model calls and env steps) ran out"),
    EndingRule(Termination.CONTEXT_EXHAUSTED, _A, _Z,
               "the history overflowed the model's context window even after trimming"),
    EndingRule(Termination.ENV_DESTROYED, _A, _Z,
               "the agent killed or wrecked its environment (its desktop, sandbox or apps)"),
    EndingRule(Termination.TAMPERED, _A, _Z, "the agent interfered with the evaluation"),
    EndingRule(Termination.INFRA_ERROR, _I, _N,
               "the environment failed to start or reset before the agent acted, or the model "
               "endpoint stayed unreachable, 5xx or rate-limited after retries"),
    EndingRule(Termination.HARNESS_ERROR, _H, _N, "a bug in the harness itself"),
    EndingRule(Termination.CANCELLED, _R, _N, "the run stopped before the episode finished"),
)}


def rule(termination: Termination | str) -> EndingRule:
    return RULES[Termination(termination)]


def rules_table() -> list[dict[str, str]]:
    """The rule as rows (for `python -m agents list endings` and the docs)."""
    return [{"termination": r.termination.value, "blame": r.blame.value, "scoring": r.scoring.value,
             "counts": "yes" if r.counts else "no", "meaning": r.meaning} for r in RULES.values()]
