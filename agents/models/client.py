"""One async model client over the official `openai` SDK: Chat Completions and Responses.

Every attempt — failed ones included — becomes a `ModelCall` record (tokens, latency, cost,
error). Transient failures (429, 5xx, timeouts, connection errors) are retried with
exponential backoff and jitter (honouring Retry-After); when the attempts run out the call
raises `EndpointUnavailable`, which the agents turn into an infrastructure error. A
context-window overflow raises `ContextWindowExceeded` at once so the caller can trim. Any
other 4xx (a bad request, a refused key, an unknown model) raises `ModelConfigurationError` at
once: retrying cannot help, and the runner stops the run before it wastes more episodes.
"""
from __future__ import annotations

import functools
import re
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import openai
from openai.types.chat import ChatCompletion
from openai.types.responses import Response
from tenacity import (
    AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential,
    wait_random,
)

from agents.models.records import assistant_from_output, responses_input_to_chat, strip_images
from agents.models.registry import ModelEntry
from trajectories.records import ModelCall

_CONTEXT_RE = re.compile(
    r"context[_ ]length|maximum context|context window|longer than the maximum model length|"
    r"prompt is too long|too many tokens|reduce the length", re.I)


class ModelCallError(RuntimeError):
    """A model call that did not produce a reply; `calls` holds every attempt's record."""

    def __init__(self, message: str, calls: list[ModelCall]):
        super().__init__(message)
        self.calls = calls


class EndpointUnavailable(ModelCallError):
    """The endpoint stayed unreachable, 5xx or rate-limited after retries: an infrastructure error."""


class ModelConfigurationError(ModelCallError):
    """A non-retryable 4xx (bad request, auth, unknown model): the run's configuration is wrong."""


class ContextWindowExceeded(ModelCallError):
    """The request does not fit the model's context window; trim the history and retry."""


def is_context_error(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError) and exc.status_code in (400, 413, 422):
        body = exc.body if isinstance(exc.body, dict) else {}
        code = str(body.get("code") or (body.get("error") or {}).get("code") or "")
        return code == "context_length_exceeded" or bool(_CONTEXT_RE.search(str(exc.message)))
    return False


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:  # an exhausted quota does not come back by waiting
            return "insufficient_quota" not in str(exc.body or exc.message)
        return exc.status_code in (408, 409) or exc.status_code >= 500
    return False


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}: {exc.message}"
    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        return f"connection error: {cause or exc}"
    return f"{type(exc).__name__}: {exc}"


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    initial_s: float = 1.0
    max_s: float = 30.0
    jitter_s: float = 1.0
    timeout_s: float = 600.0


@dataclass
class ChatResult:
    message: dict[str, Any]                 # canonical assistant message (content, reasoning, tool_calls)
    calls: list[ModelCall]
    finish_reason: str | None = None


@dataclass
class ResponsesResult:
    output: list[dict[str, Any]]            # output items, ready to be sent back as input
    response_id: str
    message: dict[str, Any]
    calls: list[ModelCall] = field(default_factory=list)


def _retry_after(exc: BaseException | None) -> float:
    response = getattr(exc, "response", None)
    try:
        return float(response.headers.get("retry-after", 0)) if response is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client of this process. Building one loads the CA bundle
    (tens of milliseconds of CPU), and every episode builds a client: at a hundred episodes in
    flight that was a third of the runner's CPU. A context is safe to share across threads."""
    import httpx2

    return httpx2.create_ssl_context()


class ModelClient:
    def __init__(self, entry: ModelEntry, base_url: str | None = None, *, role: str = "agent",
                 retry: RetryPolicy | None = None):
        self.entry = entry
        self.role = role
        self.retry = retry or RetryPolicy()
        self.base_url = entry.resolved_base_url(base_url)
        self._client = openai.AsyncOpenAI(
            base_url=self.base_url, api_key=entry.api_key() or "missing-api-key",
            max_retries=0, timeout=self.retry.timeout_s,
            http_client=openai.DefaultAsyncHttpxClient(verify=_tls_context()))
        self._backoff = (wait_exponential(multiplier=self.retry.initial_s, max=self.retry.max_s)
                         + wait_random(0, self.retry.jitter_s))

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return min(self.retry.max_s, max(self._backoff(state), _retry_after(exc)))

    async def aclose(self) -> None:
        await self._client.close()

    async def _post(self, path: str, body: dict[str, Any], cast_to: type) -> Any:
        # The SDK's own request pipeline (auth, errors, parsing into `cast_to`), minus the
        # recursive TypedDict transform of `create()`, which costs tens of milliseconds per call
        # on long multimodal histories; our bodies are plain JSON already.
        return await self._client.post(path, body=body, cast_to=cast_to)

    async def _attempts(self, send: Callable[[], Awaitable[Any]],
                        record: Callable[[Any, BaseException | None], ModelCall]) -> tuple[Any, list[ModelCall]]:
        calls: list[ModelCall] = []
        retrying = AsyncRetrying(stop=stop_after_attempt(max(1, self.retry.max_attempts)), wait=self._wait,
                                 retry=retry_if_exception(is_retryable), reraise=True)
        try:
            async for attempt in retrying:
                with attempt:
                    started, t0 = datetime.now(UTC), time.monotonic()
                    try:
                        reply = await send()
                    except Exception as exc:
                        call = record(None, exc)
                        call.error = describe_error(exc)
                        calls.append(call.model_copy(update=dict(
                            attempt=len(calls) + 1, started_at=started, latency_s=time.monotonic() - t0)))
                        raise
                    call = record(reply, None)
                    latency = time.monotonic() - t0
                    call = call.model_copy(update=dict(
                        attempt=len(calls) + 1, started_at=started, latency_s=latency,
                        cost_usd=self.entry.pricing.cost(call.tokens_in, call.tokens_cached, call.tokens_out, latency)))
                    calls.append(call)
                    return reply, calls
        except Exception as exc:
            if is_context_error(exc):
                raise ContextWindowExceeded(f"{self.entry.name}: {describe_error(exc)}", calls) from exc
            if not isinstance(exc, openai.OpenAIError):
                raise
            if isinstance(exc, openai.APIStatusError) and 400 <= exc.status_code < 500 and not is_retryable(exc):
                raise ModelConfigurationError(
                    f"{self.entry.name} at {self.base_url} refused the request: {describe_error(exc)}",
                    calls) from exc
            raise EndpointUnavailable(
                f"{self.entry.name} at {self.base_url}: {len(calls)} attempt(s) failed; "
                f"last: {describe_error(exc)}", calls) from exc
        raise AssertionError("unreachable")

    def _base_record(self, api: str, request: dict[str, Any]) -> ModelCall:
        return ModelCall(model=self.entry.name, role=self.role, provider=self.entry.provider, api=api,
                         request=request)

    async def chat(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None, *,
                   thinking: bool | None = None, temperature: float | None = None,
                   max_tokens: int | None = None, reasoning_effort: str | None = None) -> ChatResult:
        e = self.entry
        params: dict[str, Any] = {"model": e.model_id, "messages": messages}
        if tools:
            params["tools"] = tools
            params["tool_choice"] = "auto"
        effort = reasoning_effort or (e.reasoning_effort if e.provider == "openai" else None)
        if effort:
            params["reasoning_effort"] = effort
        temp = temperature if temperature is not None else e.temperature
        # OpenAI's reasoning models reject a temperature unless reasoning is off.
        if temp is not None and not (e.provider == "openai" and effort and effort != "none"):
            params["temperature"] = temp
        limit = max_tokens or e.max_output_tokens
        if limit:
            params["max_completion_tokens" if e.provider == "openai" else "max_tokens"] = limit
        think = e.thinking if thinking is None else thinking
        extra_body = dict(e.extra_body)
        if think is not None and e.provider != "openai":
            extra_body["chat_template_kwargs"] = {"enable_thinking": think}
        extra_body = extra_body or None
        request = strip_images({k: v for k, v in params.items()})
        if extra_body:
            request["extra_body"] = extra_body

        def record(reply: Any, exc: BaseException | None) -> ModelCall:
            call = self._base_record("chat", request)
            if reply is None:
                return call
            raw = reply.model_dump(mode="json")
            call.raw_response = raw
            call.response = _chat_message(raw)
            usage = raw.get("usage") or {}
            call.tokens_in = int(usage.get("prompt_tokens") or 0)
            call.tokens_out = int(usage.get("completion_tokens") or 0)
            call.tokens_cached = int(((usage.get("prompt_tokens_details") or {}).get("cached_tokens")) or 0)
            call.tokens_reasoning = int(((usage.get("completion_tokens_details") or {}).get("reasoning_tokens")) or 0)
            return call

        reply, calls = await self._attempts(
            lambda: self._post("/chat/completions", {**params, **(extra_body or {})}, ChatCompletion), record)
        message = calls[-1].response
        choices = calls[-1].raw_response.get("choices") or [{}] if calls[-1].raw_response else [{}]
        return ChatResult(message=message, calls=calls, finish_reason=choices[0].get("finish_reason"))

    async def respond(self, input: list[dict[str, Any]], tools: list[dict[str, Any]], *,
                      instructions: str | None = None, previous_response_id: str | None = None,
                      reasoning_effort: str | None = None, truncation: str | None = None) -> ResponsesResult:
        e = self.entry
        params: dict[str, Any] = {"model": e.model_id, "input": input, "tools": tools}
        if instructions:
            params["instructions"] = instructions
        if previous_response_id:
            params["previous_response_id"] = previous_response_id
        effort = reasoning_effort or e.reasoning_effort
        if effort:
            params["reasoning"] = {"effort": effort}
        if e.max_output_tokens:
            params["max_output_tokens"] = e.max_output_tokens
        if truncation:
            params["truncation"] = truncation
        stripped = strip_images(input)
        request = {"model": e.model_id,
                   "messages": responses_input_to_chat(stripped, instructions),
                   "tools": tools, "input": stripped,
                   **{k: v for k, v in params.items() if k in ("previous_response_id", "reasoning",
                                                                "max_output_tokens", "truncation")}}

        def record(reply: Any, exc: BaseException | None) -> ModelCall:
            call = self._base_record("responses", request)
            if reply is None:
                return call
            raw = reply.model_dump(mode="json", exclude_none=True)
            call.raw_response = raw
            call.response = assistant_from_output(raw.get("output") or [])
            usage = raw.get("usage") or {}
            call.tokens_in = int(usage.get("input_tokens") or 0)
            call.tokens_out = int(usage.get("output_tokens") or 0)
            call.tokens_cached = int(((usage.get("input_tokens_details") or {}).get("cached_tokens")) or 0)
            call.tokens_reasoning = int(((usage.get("output_tokens_details") or {}).get("reasoning_tokens")) or 0)
            return call

        reply, calls = await self._attempts(lambda: self._post("/responses", params, Response), record)
        raw = calls[-1].raw_response or {}
        return ResponsesResult(output=list(raw.get("output") or []), response_id=str(raw.get("id", "")),
                               message=calls[-1].response, calls=calls)


def _chat_message(raw: dict[str, Any]) -> dict[str, Any]:
    """The assistant message of a chat completion, canonical: reasoning from either field."""
    choices = raw.get("choices") or []
    msg = dict((choices[0].get("message") if choices else None) or {})
    reasoning = msg.pop("reasoning", None) or msg.pop("reasoning_content", None)
    msg.pop("reasoning_content", None)
    out: dict[str, Any] = {"role": "assistant", "content": msg.get("content")}
    if reasoning:
        out["reasoning"] = reasoning
    if msg.get("tool_calls"):
        out["tool_calls"] = [{"id": c.get("id"), "type": "function",
                              "function": {"name": (c.get("function") or {}).get("name"),
                                           "arguments": (c.get("function") or {}).get("arguments")}}
                             for c in msg["tool_calls"]]
    return out
