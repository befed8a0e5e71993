"""The `model` agent: a registry model driving either environment.

Options (RunRequest.agent_options / CLI): ``model`` (required), ``base_url``, ``thinking``
(on/off), ``reasoning_effort``, ``max_images``, ``coordinates`` (relative/absolute),
``max_corrections``, ``max_context_trims``, ``responses_state`` (server/client) and retry
settings ``retry_max_attempts``, ``retry_initial_s``, ``retry_max_s``, ``retry_jitter_s``,
``retry_timeout_s``. On `reset` it picks the computer-use agent for ``AgentSpec.kind ==
"computer"`` and the tool-calling agent for ``"tools"``, in the API the model speaks.
"""
from __future__ import annotations

from typing import Any

from agents.agent import Agent, AgentTurn, register_agent
from agents.computer_agent import OpenAIComputerAgent, QwenComputerAgent
from agents.models.agent_base import AgentSettings, ModelDrivenAgent
from agents.models.registry import get_model
from agents.tool_agent import ChatToolAgent, ResponsesToolAgent
from envs.types import AgentSpec, TaskInfo


@register_agent("model")
class ModelAgent(Agent):
    name = "model"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.settings = AgentSettings.from_options(options)
        self.entry = get_model(self.settings.model)        # unknown names fail before any episode
        self.inner: ModelDrivenAgent | None = None

    def reset(self, task: TaskInfo, spec: AgentSpec, env: Any = None, seed: int | None = None) -> None:
        if self.inner is not None:
            raise RuntimeError("a model agent runs one episode; the runner makes a fresh one per episode")
        if spec.kind == "computer":
            cls = OpenAIComputerAgent if self.entry.action_format == "openai_computer" else QwenComputerAgent
        elif spec.kind == "tools":
            cls = ResponsesToolAgent if self.entry.api == "responses" else ChatToolAgent
        else:
            raise ValueError(f"unknown agent spec kind {spec.kind!r}")
        self.inner = cls(self.entry, self.settings, task, spec)

    async def act(self, observation: Any) -> AgentTurn:
        if self.inner is None:
            raise RuntimeError("act() before reset()")
        return await self.inner.act(observation)

    def feedback(self, action: dict[str, Any], observation: Any, info: dict[str, Any]) -> None:
        if self.inner is not None:
            self.inner.feedback(action, observation, info)

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()
