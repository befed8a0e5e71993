"""τ²-bench's results file, as its documentation and data model describe it (tau2 `Results`,
`SimulationRun`, messages, `RewardInfo`), written out here to check our exports against.

Only what a text (half-duplex) run holds is described; fields τ²-bench marks optional are
optional here too. `extra="forbid"` everywhere: a key we write that τ²-bench does not know is
a mistake in the export. The enums list τ²-bench's values exactly.
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TerminationReason(str, Enum):
    USER_STOP = "user_stop"
    AGENT_STOP = "agent_stop"
    MAX_STEPS = "max_steps"
    TIMEOUT = "timeout"
    TOO_MANY_ERRORS = "too_many_errors"
    AGENT_ERROR = "agent_error"
    USER_ERROR = "user_error"
    INFRASTRUCTURE_ERROR = "infrastructure_error"
    CONTEXT_WINDOW_EXCEEDED = "context_window_exceeded"
    UNEXPECTED_ERROR = "unexpected_error"


class RewardType(str, Enum):
    DB = "DB"
    ENV_ASSERTION = "ENV_ASSERTION"
    NL_ASSERTION = "NL_ASSERTION"
    ACTION = "ACTION"
    COMMUNICATE = "COMMUNICATE"


class ToolType(str, Enum):
    READ = "read"
    WRITE = "write"
    THINK = "think"
    GENERIC = "generic"


Requestor = Literal["user", "assistant"]


class ToolCall(Strict):
    id: str = ""
    name: str
    arguments: dict
    requestor: Requestor = "assistant"


class _Said(Strict):
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    turn_idx: int | None = None
    timestamp: str | None = None
    cost: float | None = None
    usage: dict | None = None
    raw_data: dict | None = None


class AssistantMessage(_Said):
    role: Literal["assistant"]


class UserMessage(_Said):
    role: Literal["user"]


class SystemMessage(Strict):
    role: Literal["system"]
    content: str | None = None
    turn_idx: int | None = None
    timestamp: str | None = None


class ToolMessage(Strict):
    id: str
    role: Literal["tool"]
    content: str | None = None
    requestor: Requestor = "assistant"
    error: bool = False
    turn_idx: int | None = None
    timestamp: str | None = None


Message = Annotated[AssistantMessage | UserMessage | SystemMessage | ToolMessage, Field(discriminator="role")]


class Action(BaseModel):           # a task's gold action (tasks keep τ²-bench's own extra keys)
    action_id: str
    requestor: Requestor = "assistant"
    name: str
    arguments: dict
    info: str | None = None
    compare_args: list[str] | None = None


class EnvAssertion(Strict):
    env_type: Requestor
    func_name: str
    arguments: dict
    assert_value: bool = True
    message: str | None = None


class DBCheck(Strict):
    db_match: bool
    db_reward: float


class ActionCheck(Strict):
    action: Action
    action_match: bool
    action_reward: float
    tool_type: ToolType | None = None


class EnvAssertionCheck(Strict):
    env_assertion: EnvAssertion
    met: bool
    reward: float


class CommunicateCheck(Strict):
    info: str
    met: bool
    justification: str


class NLAssertionCheck(Strict):
    nl_assertion: str
    met: bool
    justification: str


class RewardInfo(Strict):
    reward: float
    db_check: DBCheck | None = None
    env_assertions: list[EnvAssertionCheck] | None = None
    action_checks: list[ActionCheck] | None = None
    nl_assertions: list[NLAssertionCheck] | None = None
    communicate_checks: list[CommunicateCheck] | None = None
    reward_basis: list[RewardType] | None = None
    reward_breakdown: dict[RewardType, float] | None = None
    info: dict | None = None


class SimulationRun(Strict):
    id: str
    task_id: str
    timestamp: str
    start_time: str
    end_time: str
    duration: float
    termination_reason: TerminationReason
    agent_cost: float | None = None
    user_cost: float | None = None
    reward_info: RewardInfo | None = None
    messages: list[Message] | None = None
    trial: int | None = None
    seed: int | None = None
    mode: Literal["half_duplex", "full_duplex"] = "half_duplex"
    info: dict | None = None


class UserScenario(BaseModel):
    persona: str | None = None
    instructions: str | dict


class Task(BaseModel):             # τ²-bench's task schema (extra keys are ignored there too)
    id: str
    user_scenario: UserScenario
    description: dict | None = None
    ticket: str | None = None
    initial_state: dict | None = None
    evaluation_criteria: dict | None = None


class AgentInfo(Strict):
    implementation: str
    llm: str | None = None
    llm_args: dict | None = None


class UserInfo(Strict):
    implementation: str
    llm: str | None = None
    llm_args: dict | None = None
    global_simulation_guidelines: str | None = None


class ToolSignature(Strict):
    name: str
    doc: str
    params: dict | None = None
    returns: dict | None = None


class EnvironmentInfo(Strict):
    domain_name: str
    policy: str
    tool_defs: dict[str, ToolSignature] | None = None


class Info(Strict):
    git_commit: str
    num_trials: int
    max_steps: int
    max_errors: int
    user_info: UserInfo
    agent_info: AgentInfo
    environment_info: EnvironmentInfo
    seed: int | None = None


class Results(Strict):
    timestamp: str | None = None
    info: Info
    tasks: list[Task]
    simulations: list[SimulationRun] = Field(default_factory=list)
