"""τ²-bench's task schema as pydantic models (reads the reference's tasks.json unchanged).

A task: `user_scenario` (persona + instructions for the simulated user), an optional
`initial_state` (DB patches, function calls and a conversation prefix applied before the
episode), and `evaluation_criteria` (gold actions, env assertions, facts to communicate,
natural-language assertions, and the `reward_basis` whose rewards are multiplied).
"""
from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class RewardType(StrEnum):
    DB = "DB"
    ENV_ASSERTION = "ENV_ASSERTION"
    NL_ASSERTION = "NL_ASSERTION"
    ACTION = "ACTION"
    COMMUNICATE = "COMMUNICATE"


class _Lenient(BaseModel):
    # Extra keys (e.g. "issues" on a few retail tasks) are kept, not rejected.
    model_config = ConfigDict(extra="allow")


class StructuredUserInstructions(_Lenient):
    domain: str
    reason_for_call: str
    known_info: str | None = None
    unknown_info: str | None = None
    task_instructions: str

    def __str__(self) -> str:
        lines = [f"Domain: {self.domain}", f"Reason for call:\n{self.reason_for_call}"]
        if self.known_info:
            lines.append(f"Known info:\n{self.known_info}")
        if self.unknown_info:
            lines.append(f"Unknown info:\n{self.unknown_info}")
        lines.append(f"Task instructions:\n{self.task_instructions}")
        return "\n".join(lines)


class UserScenario(_Lenient):
    persona: str | None = None
    instructions: StructuredUserInstructions | str

    def __str__(self) -> str:
        persona = f"Persona:\n{self.persona}\n" if self.persona else ""
        return f"{persona}Instructions:\n{self.instructions}"


class Description(_Lenient):
    purpose: str | None = None
    relevant_policies: str | None = None
    notes: str | None = None


class Action(_Lenient):
    """A gold tool call. `compare_args` limits which arguments the ACTION reward compares
    (None: all of them; []: only the tool name)."""

    action_id: str
    requestor: Literal["user", "assistant"] = "assistant"
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    info: str | None = None
    compare_args: list[str] | None = None

    def matches(self, name: str, arguments: dict[str, Any]) -> bool:
        """τ²-bench's `compare_with_tool_call`: same tool name, and the same values for the
        compared keys (`compare_args`, or else the keys the call itself passed)."""
        if name != self.name:
            return False
        keys = list(arguments) if self.compare_args is None else self.compare_args
        if not keys:
            return True
        return ({k: v for k, v in arguments.items() if k in keys}
                == {k: v for k, v in self.arguments.items() if k in keys})


class EnvFunctionCall(_Lenient):
    env_type: Literal["user", "assistant"]
    func_name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class EnvAssertion(EnvFunctionCall):
    assert_value: bool = True
    message: str | None = None


class InitializationData(_Lenient):
    agent_data: dict[str, Any] | None = None
    user_data: dict[str, Any] | None = None


class InitialState(_Lenient):
    initialization_data: InitializationData | None = None
    initialization_actions: list[EnvFunctionCall] | None = None
    message_history: list[dict[str, Any]] | None = None


class EvaluationCriteria(_Lenient):
    actions: list[Action] | None = None
    env_assertions: list[EnvAssertion] | None = None
    communicate_info: list[str] | None = None
    nl_assertions: list[str] | None = None
    reward_basis: list[RewardType] = Field(default_factory=lambda: [RewardType.DB, RewardType.COMMUNICATE])


class Task(_Lenient):
    id: str
    description: Description | None = None
    user_scenario: UserScenario
    ticket: str | None = None
    initial_state: InitialState | None = None
    evaluation_criteria: EvaluationCriteria | None = None

    @property
    def gold_actions(self) -> list[Action]:
        return list((self.evaluation_criteria and self.evaluation_criteria.actions) or [])

    @property
    def reward_basis(self) -> list[RewardType]:
        if self.evaluation_criteria is None:
            return [RewardType.DB, RewardType.COMMUNICATE]
        return list(self.evaluation_criteria.reward_basis)

    @property
    def instruction_text(self) -> str:
        """One-line description of what the user wants (for listings and the scripted user)."""
        ins = self.user_scenario.instructions
        if isinstance(ins, StructuredUserInstructions):
            return ins.reason_for_call
        return ins


def load_tasks(path: str | Path) -> list[Task]:
    """Read a τ²-bench tasks.json; errors name the file and the offending task."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"tasks file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a JSON list of tasks, got {type(raw).__name__}")
    tasks = []
    for i, item in enumerate(raw):
        try:
            tasks.append(Task.model_validate(item))
        except ValidationError as exc:
            tid = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
            raise ValueError(f"{path}: task {tid} does not fit the τ²-bench task schema: {exc}") from None
    return tasks
