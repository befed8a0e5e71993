"""A scripted OpenAI-compatible HTTP server on 127.0.0.1, standing in for the models.

Real HTTP (starlette + uvicorn in a thread), used through the real `openai` SDK. It answers
``/v1/models``, ``/v1/chat/completions`` in the shape vLLM gives Qwen3.5 (parsed
``tool_calls``, ``reasoning``) and ``/v1/responses`` in GPT-5.4's shape (``computer_call``
items with batched ``actions`` and ``pending_safety_checks``, ``function_call`` and
``message`` items). Each endpoint pops replies from its own script; a script entry is a
reply body, a `Fault` (HTTP status, delay for timeouts) or a callable of the request body.
An exhausted script answers HTTP 500 with "script exhausted", so a test fails loudly.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):06d}"


@dataclass
class Fault:
    """An HTTP error (status + OpenAI-style error body) and/or a delay before answering."""

    status: int = 500
    message: str = "injected fault"
    code: str | None = None
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    then: dict[str, Any] | None = None   # with status 200: the body sent after the delay


def rate_limited(retry_after: float | None = None) -> Fault:
    headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
    return Fault(429, "Rate limit reached for requests", "rate_limit_exceeded", headers=headers)


def server_error() -> Fault:
    return Fault(500, "The server had an error while processing your request.")


def context_overflow() -> Fault:
    return Fault(400, "This model's maximum context length is 32768 tokens. However, you requested "
                      "40000 tokens. Please reduce the length of the messages.", "context_length_exceeded")


def slow(delay_s: float, then: dict[str, Any] | None = None) -> Fault:
    return Fault(200, delay_s=delay_s, then=then)


# ----------------------------------------------------------------------------- reply bodies

def _usage_chat(prompt: int, completion: int) -> dict[str, Any]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0}}


def chat_reply(content: str | None = None, tool_calls: list[tuple[str, Any]] | None = None, *,
               reasoning: str | None = None, reasoning_field: str = "reasoning",
               model: str = "Qwen/Qwen3.5-9B") -> dict[str, Any]:
    """A chat completion as vLLM returns it; tool call arguments given as dict or raw text."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "tool_calls": []}
    if reasoning is not None:
        message[reasoning_field] = reasoning
    for name, args in tool_calls or []:
        message["tool_calls"].append({
            "id": f"chatcmpl-tool-{next(_ids):08x}", "type": "function",
            "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}})
    return {"id": _id("chatcmpl"), "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if tool_calls else "stop"}],
            "usage": None}


def qwen_computer_call(args: dict[str, Any] | str, reasoning: str = "I look at the screen and act.") -> dict[str, Any]:
    return chat_reply(None, [("computer_use", args)], reasoning=reasoning)


def responses_reply(output: list[dict[str, Any]], model: str = "gpt-5.4-mini") -> dict[str, Any]:
    return {"id": _id("resp"), "object": "response", "created_at": int(time.time()), "status": "completed",
            "model": model, "output": [{"type": "reasoning", "id": _id("rs"), "summary": [
                {"type": "summary_text", "text": "Planning the next step."}]}] + output,
            "parallel_tool_calls": True, "tool_choice": "auto", "tools": [], "usage": None}


def computer_call(actions: list[dict[str, Any]], safety_checks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": "computer_call", "id": _id("cu"), "call_id": _id("call"), "actions": actions,
            "pending_safety_checks": safety_checks or [], "status": "completed"}


def function_call(name: str, arguments: dict[str, Any] | str) -> dict[str, Any]:
    return {"type": "function_call", "id": _id("fc"), "call_id": _id("call"), "name": name,
            "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments), "status": "completed"}


def message(text: str) -> dict[str, Any]:
    return {"type": "message", "id": _id("msg"), "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


# ----------------------------------------------------------------------------- the server

Entry = dict[str, Any] | Fault | Callable[[dict[str, Any]], "dict[str, Any] | Fault"]


class ScriptedServer:
    ROUTES = ("chat", "responses")

    def __init__(self, models: list[str] | None = None, api_key: str | None = None):
        self.models = models if models is not None else ["Qwen/Qwen3.5-9B", "gpt-5.4-mini"]
        self.api_key = api_key
        self.scripts: dict[str, deque[Entry]] = {r: deque() for r in self.ROUTES}
        self.requests: dict[str, list[dict[str, Any]]] = {r: [] for r in self.ROUTES}
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, route: str, *entries: Entry) -> None:
        with self._lock:
            self.scripts[route].extend(entries)

    def remaining(self, route: str) -> int:
        with self._lock:
            return len(self.scripts[route])

    def _next(self, route: str) -> Entry | None:
        with self._lock:
            return self.scripts[route].popleft() if self.scripts[route] else None

    def _auth_error(self, request: Request) -> JSONResponse | None:
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return JSONResponse({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                           "code": "invalid_api_key"}}, status_code=401)
        return None

    async def _models(self, request: Request) -> JSONResponse:
        return self._auth_error(request) or JSONResponse(
            {"object": "list", "data": [{"id": m, "object": "model", "created": 0, "owned_by": "scripted"}
                                        for m in self.models]})

    async def _answer(self, route: str, request: Request) -> JSONResponse:
        denied = self._auth_error(request)
        if denied:
            return denied
        body = await request.json()
        with self._lock:
            self.requests[route].append(body)
        entry = self._next(route)
        if callable(entry):
            entry = entry(body)
        if entry is None:
            return JSONResponse({"error": {"message": f"script exhausted for /{route}", "type": "server_error"}},
                                status_code=500)
        if isinstance(entry, Fault):
            if entry.delay_s:
                await asyncio.sleep(entry.delay_s)
            if entry.status != 200:
                return JSONResponse({"error": {"message": entry.message, "type": "invalid_request_error"
                                               if entry.status < 500 else "server_error", "code": entry.code,
                                               "param": None}}, status_code=entry.status, headers=entry.headers)
            entry = entry.then or {}
        reply = json.loads(json.dumps(entry))
        size = len(json.dumps(body)) // 4
        out = len(json.dumps(reply)) // 4
        if route == "chat" and reply.get("usage") is None:
            reply["usage"] = _usage_chat(size, out)
        if route == "responses" and reply.get("usage") is None:
            reply["usage"] = {"input_tokens": size, "input_tokens_details": {"cached_tokens": size // 2},
                              "output_tokens": out, "output_tokens_details": {"reasoning_tokens": out // 2},
                              "total_tokens": size + out}
        return JSONResponse(reply)

    async def _chat(self, request: Request) -> JSONResponse:
        return await self._answer("chat", request)

    async def _responses(self, request: Request) -> JSONResponse:
        return await self._answer("responses", request)

    def start(self) -> ScriptedServer:
        app = Starlette(routes=[
            Route("/v1/models", self._models, methods=["GET"]),
            Route("/v1/chat/completions", self._chat, methods=["POST"]),
            Route("/v1/responses", self._responses, methods=["POST"]),
        ])
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("scripted server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


@contextlib.contextmanager
def serving_registry_models(monkeypatch: Any, workdir: Any) -> Iterator[ScriptedServer]:
    """A scripted server both registry models point at (no real GPU or API key), with the
    working folder moved to `workdir` so that no stray agents.toml is read."""
    with ScriptedServer() as srv:
        monkeypatch.chdir(workdir)
        monkeypatch.delenv("AGENTS_CONFIG", raising=False)
        monkeypatch.setenv("QWEN_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        yield srv
