"""Pydantic models of every persisted record (the store's public vocabulary).

Rows in the database mirror these; `schema_version` lets readers cope with old rows.
Big payloads (screenshots, long JSON) are not held here but as artifact sha256 keys.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from envs.endings import Blame, EndingRule, Termination, rule

SCHEMA_VERSION = 1


class RunStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"


class EpisodeStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"      # evaluated, success
    FAILED = "failed"            # evaluated, not a success (an agent failure)
    ERROR = "error"              # infrastructure error: excluded from scores, retried on resume
    HARNESS_ERROR = "harness_error"  # a bug in the harness: excluded, reported loudly, retried on resume

    @classmethod
    def for_ending(cls, termination: Termination, success: bool | None) -> EpisodeStatus:
        """The status an ending gives, by the rule of envs/endings.py."""
        blame = rule(termination).blame
        if blame is Blame.AGENT:
            return cls.SUCCEEDED if success else cls.FAILED
        if blame is Blame.HARNESS:
            return cls.HARNESS_ERROR
        if blame is Blame.INFRASTRUCTURE:
            return cls.ERROR
        raise ValueError(f"{termination.value} episodes are not finished (they run again on resume)")


# The one vocabulary of endings and their blame lives in envs/endings.py (it imports nothing).
TerminationReason = Termination


DEFAULT_MAX_ERROR_RATE = 0.2


class RunConfig(BaseModel):
    """A run: what to run (stored with the run, enough to reproduce it) and how this
    invocation executes it (the excluded fields: never stored, given anew on resume).

    The runner takes this as its request; `task_ids` is the user's selection on the way in and
    the resolved task list once stored.
    """

    schema_version: int = SCHEMA_VERSION
    env: str
    agent: str = "oracle"                       # "oracle", "noop", "random" or "model"
    model: str | None = None                    # registry model name for model agents
    env_options: dict[str, Any] = Field(default_factory=dict)
    agent_options: dict[str, Any] = Field(default_factory=dict)
    task_ids: list[str] = Field(default_factory=list)
    split: str = "all"
    trials: int = 1
    seed: int = 0
    max_steps: int = 50
    episode_timeout_s: float = 1800.0           # the agent's working time per episode
    git_revision: str | None = None
    package_versions: dict[str, str] = Field(default_factory=dict)
    name: str | None = None
    # Runs one command started together (tau2-lite `--domain all`: one run per domain) share
    # this id; `--resume GROUP` resumes all of them.
    group: str | None = None
    # -- execution only ---------------------------------------------------------------------
    limit: int | None = Field(default=None, exclude=True)
    concurrency: int = Field(default=1, exclude=True)
    resume_run_id: str | None = Field(default=None, exclude=True)
    executor: str = Field(default="local", exclude=True)      # "local" or "ray"
    ray_address: str | None = Field(default=None, exclude=True)
    # Ray workers: episode slots per worker and the CPUs/memory each slot reserves (None: the
    # defaults for the kind of environment, see agents.ray_executor.SlotPlan).
    slots_per_worker: int | None = Field(default=None, exclude=True)
    cpus_per_slot: float | None = Field(default=None, exclude=True)
    memory_per_slot_mb: int | None = Field(default=None, exclude=True)
    max_error_rate: float = Field(default=DEFAULT_MAX_ERROR_RATE, exclude=True)
    # Live objects built from env_options (user-simulator and judge model clients).
    runtime_env_options: dict[str, Any] = Field(default_factory=dict, exclude=True)


class ModelCall(BaseModel):
    """One request/response to a model, in canonical OpenAI chat shape.

    `request` holds `{"model", "messages", "tools", ...}` (images replaced by artifact
    references `{"type": "image_ref", "sha256": ...}`); `response` holds the assistant
    message `{"role": "assistant", "content", "reasoning", "tool_calls": [...]}`;
    `raw_response` the provider's reply as received (Responses API items for OpenAI).
    """

    schema_version: int = SCHEMA_VERSION
    model: str
    role: str = "agent"                         # "agent", "user_simulator" or "judge"
    provider: str = ""
    api: str = "chat"                           # "chat" or "responses"
    request: dict[str, Any] = Field(default_factory=dict)
    response: dict[str, Any] = Field(default_factory=dict)
    raw_response: dict[str, Any] | None = None
    tokens_in: int = 0
    tokens_cached: int = 0
    tokens_out: int = 0
    tokens_reasoning: int = 0
    latency_s: float = 0.0
    cost_usd: float = 0.0
    error: str | None = None                    # set for failed attempts (retries are recorded too)
    attempt: int = 1
    started_at: datetime | None = None


class StepRecord(BaseModel):
    """One environment step (one action) with what led to it and what came of it."""

    schema_version: int = SCHEMA_VERSION
    index: int
    observation: dict[str, Any] = Field(default_factory=dict)   # JSON part; images as sha256 refs
    observation_artifacts: dict[str, str] = Field(default_factory=dict)  # name -> sha256
    action: dict[str, Any] | None = None        # the env action as executed (JSON form)
    agent_output: dict[str, Any] = Field(default_factory=dict)  # parsed reply: reasoning, text, raw actions
    model_calls: list[ModelCall] = Field(default_factory=list)
    reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    info: dict[str, Any] = Field(default_factory=dict)          # env's info (errors, tool results)
    agent_time_s: float = 0.0
    env_time_s: float = 0.0
    created_at: datetime | None = None


class EpisodeResult(BaseModel):
    status: EpisodeStatus
    termination: TerminationReason
    reward: float | None = None
    success: bool | None = None
    evaluation: dict[str, Any] = Field(default_factory=dict)
    steps: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    wall_time_s: float = 0.0
    error: str | None = None


class RunRow(BaseModel):
    """A run as the store returns it (`get_run`, `list_runs`)."""

    id: str
    name: str | None = None
    env: str
    agent: str
    model: str | None = None
    split: str = "test"
    seed: int = 0
    config: RunConfig
    git_revision: str | None = None
    package_versions: dict[str, str] = Field(default_factory=dict)
    status: RunStatus
    created_at: datetime
    finished_at: datetime | None = None
    episode_counts: dict[str, int] = Field(default_factory=dict)  # EpisodeStatus value -> count


def group_label(agent: str, model: str | None) -> str:
    """The name a run configuration is shown under: the model for model agents, else the agent."""
    if agent == "model" and model:
        return model
    return agent


class EpisodeRow(BaseModel):
    """An episode with its run's env/agent/model: the one episode record the store returns and
    scoring, the viewer and export read. `episode_id` is accepted for `id`."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(validation_alias=AliasChoices("id", "episode_id"))
    run_id: str
    env: str
    domain: str
    task_id: str
    split: str = "test"
    trial: int = 0
    seed: int | None = None
    agent: str
    model: str | None = None
    status: EpisodeStatus
    termination: TerminationReason | None = None
    reward: float | None = None
    success: bool | None = None
    steps: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    wall_time_s: float = 0.0
    error: str | None = None
    evaluation: dict[str, Any] = Field(default_factory=dict)
    attempts: int = 1
    worker: str | None = None                   # where the latest attempt ran (host/pid, Ray node)
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    instruction: str | None = None              # the task's, where the reader joined it

    @field_validator("wall_time_s", mode="before")
    @classmethod
    def _no_wall_time(cls, value: Any) -> Any:
        return 0.0 if value is None else value

    @property
    def episode_id(self) -> str:
        return self.id

    @property
    def label(self) -> str:
        return group_label(self.agent, self.model)

    @property
    def evaluated(self) -> bool:
        """Graded (an agent-caused ending): counts in every denominator."""
        return self.status in (EpisodeStatus.SUCCEEDED, EpisodeStatus.FAILED)

    @property
    def solved(self) -> bool:
        """The status is authoritative (the runner sets it from the evaluator's verdict)."""
        return self.status == EpisodeStatus.SUCCEEDED

    @property
    def infra_error(self) -> bool:
        return self.status == EpisodeStatus.ERROR

    @property
    def harness_error(self) -> bool:
        return self.status == EpisodeStatus.HARNESS_ERROR

    @property
    def ending_rule(self) -> EndingRule | None:
        """What the ending means and whose fault it is (envs/endings.py); None while unfinished."""
        return rule(self.termination) if self.termination else None

    @property
    def task_key(self) -> tuple[str, str, str]:
        """Identifies a task across runs: (env, domain, task_id)."""
        return (self.env, self.domain, self.task_id)


class ArtifactInfo(BaseModel):
    sha256: str
    mime: str
    size: int
