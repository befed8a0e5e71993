"""A synchronous `envs.types.ChatModel` over the registry's models (user simulator, NL judge).

Environments call it from worker threads, so each call runs the async client on a private
event loop. It always speaks Chat Completions (OpenAI serves those for its models too), and a
call that keeps failing raises `envs.errors.InfrastructureError`: never the agent's fault; a
non-retryable 4xx raises its subclass `ServiceConfigurationError`, which stops the run.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from agents.models.client import ModelCallError, ModelClient, ModelConfigurationError, RetryPolicy
from agents.models.registry import ModelEntry
from envs.errors import InfrastructureError, ServiceConfigurationError
from envs.types import ChatReply


class RegistryChatModel:
    def __init__(self, entry: ModelEntry, base_url: str | None = None, role: str = "user_simulator",
                 retry: RetryPolicy | None = None):
        self.entry = entry
        self.name = entry.name
        self.base_url = base_url
        self.role = role
        self.retry = retry

    async def _chat(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                    temperature: float | None) -> ChatReply:
        client = ModelClient(self.entry, self.base_url, role=self.role, retry=self.retry)
        try:
            result = await client.chat(messages, tools, temperature=temperature)
        except ModelConfigurationError as exc:
            raise ServiceConfigurationError(f"{self.role} model {self.name}: {exc}") from exc
        except ModelCallError as exc:
            raise InfrastructureError(f"{self.role} model {self.name}: {exc}") from exc
        finally:
            await client.aclose()
        calls = result.calls
        final = calls[-1]
        tool_calls = result.message.get("tool_calls") or []
        return ChatReply(content=result.message.get("content"), tool_calls=tool_calls,
                         tokens_in=sum(c.tokens_in for c in calls), tokens_out=sum(c.tokens_out for c in calls),
                         cost_usd=sum(c.cost_usd for c in calls), record=final.model_dump(mode="json"))

    def chat(self, messages: list[dict[str, Any]], *, tools: list[dict[str, Any]] | None = None,
             temperature: float | None = None) -> ChatReply:
        coro = self._chat(messages, tools, temperature)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coro)
        # Called from a thread that runs an event loop: use a thread of our own.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coro).result()
