"""The trajectory viewer's model of one episode: steps turned into what the page shows.

Step 0 holds the reset observation; step i ≥ 1 holds action i and the observation it produced.
So action i is drawn on the screenshot of the step before it (the screen the agent acted on),
and the last screenshot, which no action followed, is shown as the final screen.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from scoring.episodes import EpisodeSummary
from scoring.site.overlay import Shape, describe, shapes_for
from trajectories.records import ModelCall, StepRecord

MAX_JSON_CHARS = 60_000          # longer JSON blocks are cut (the database keeps them whole)
SCREENSHOT_KEYS = ("screenshot",)


class ImageView(BaseModel):
    url: str
    width: int | None = None
    height: int | None = None
    name: str = "screenshot"


class CallView(BaseModel):
    role: str
    model: str
    provider: str = ""
    api: str = ""
    reasoning: str | None = None
    content: str | None = None
    tool_calls: list[dict[str, str]] = Field(default_factory=list)   # name, arguments (pretty)
    tokens_in: int = 0
    tokens_cached: int = 0
    tokens_out: int = 0
    tokens_reasoning: int = 0
    latency_s: float = 0.0
    cost_usd: float = 0.0
    error: str | None = None
    attempt: int = 1
    request_json: str = ""
    raw_json: str = ""


class MessageView(BaseModel):
    role: str                     # user, assistant, tool, system
    content: str = ""
    name: str | None = None       # tool name
    error: bool = False


class StepView(BaseModel):
    index: int
    title: str
    action_json: str | None = None
    screen: ImageView | None = None         # the screen the action was applied to
    shapes: list[Shape] = Field(default_factory=list)
    agent_messages: list[MessageView] = Field(default_factory=list)   # what the agent said/called
    # The simulated user's own tool calls and their results (tau2-lite telecom: the user's
    # phone), from info["conversation"]; the agent never sees them.
    user_tool_messages: list[MessageView] = Field(default_factory=list)
    observed_messages: list[MessageView] = Field(default_factory=list)  # what came back
    reasoning: str | None = None
    text: str | None = None
    calls: list[CallView] = Field(default_factory=list)
    action_error: str | None = None
    info_json: str | None = None
    observation_json: str | None = None
    reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    agent_time_s: float = 0.0
    env_time_s: float = 0.0


class EpisodeView(BaseModel):
    episode: EpisodeSummary
    instruction: str | None = None
    steps: list[StepView]
    final_screen: ImageView | None = None
    setup_calls: list[CallView] = Field(default_factory=list)   # model calls outside any step
    evaluation_json: str = ""
    tokens_reasoning: int = 0
    model_calls: int = 0


def pretty(value: Any, limit: int = MAX_JSON_CHARS) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False, default=str)
    if len(text) > limit:
        return text[:limit] + f"\n… ({len(text) - limit:,} more characters not shown)"
    return text


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # content parts
        return "\n".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in value)
    return pretty(value)


def request_digest(request: dict[str, Any]) -> dict[str, Any]:
    """What is new in a request: the messages after the last assistant turn, tools by name.

    Each request repeats the whole conversation, so showing it in full at every step would
    make a page grow with the square of the episode's length; the database keeps it whole.
    """
    digest = dict(request)
    for key in ("messages", "input"):
        items = request.get(key)
        if isinstance(items, list) and items:
            last = max((i for i, m in enumerate(items) if isinstance(m, dict)
                        and (m.get("role") == "assistant" or m.get("type") in ("function_call", "computer_call"))),
                       default=-1)
            if last >= 0:
                digest[key] = [f"… {last + 1} earlier items not shown"] + items[last + 1:]
    tools = request.get("tools")
    if isinstance(tools, list):
        digest["tools"] = [t.get("name") or (t.get("function") or {}).get("name") or t.get("type", "?")
                           if isinstance(t, dict) else str(t) for t in tools]
    return digest


def call_view(call: ModelCall) -> CallView:
    resp = call.response or {}
    tool_calls = []
    for tc in resp.get("tool_calls") or []:
        fn = tc.get("function", tc) if isinstance(tc, dict) else {}
        args = fn.get("arguments", {})
        text = _maybe_json(args) if isinstance(args, str) else pretty(args)   # chat APIs send a JSON string
        tool_calls.append({"name": str(fn.get("name", "?")), "arguments": text})
    return CallView(
        role=call.role, model=call.model, provider=call.provider, api=call.api,
        reasoning=_text(resp.get("reasoning") or resp.get("reasoning_content")) or None,
        content=_text(resp.get("content")) or None, tool_calls=tool_calls,
        tokens_in=call.tokens_in, tokens_cached=call.tokens_cached, tokens_out=call.tokens_out,
        tokens_reasoning=call.tokens_reasoning, latency_s=call.latency_s, cost_usd=call.cost_usd,
        error=call.error, attempt=call.attempt,
        request_json=pretty(request_digest(call.request)) if call.request else "",
        raw_json=pretty(call.raw_response) if call.raw_response else "",
    )


def _messages(observation: dict[str, Any]) -> list[MessageView]:
    raw = observation.get("messages")
    if not isinstance(raw, list):
        return []
    out = []
    for m in raw:
        if isinstance(m, dict):
            content = _text(m.get("content"))
            if m.get("role") == "tool":
                content = _maybe_json(content)
            out.append(MessageView(role=str(m.get("role", "?")), content=content,
                                   name=m.get("name"), error=bool(m.get("error"))))
        else:
            out.append(MessageView(role="?", content=_text(m)))
    return out


def _maybe_json(text: str) -> str:
    """Tool results are often JSON on one line: indent them for reading."""
    if text[:1] not in "{[":
        return text
    try:
        return pretty(json.loads(text))
    except ValueError:
        return text


def _user_tool_messages(info: dict[str, Any]) -> list[MessageView]:
    """The user's tool calls (role "user_tool_call") and results ("user_tool_result") recorded
    in a step's info["conversation"] (requestor "user")."""
    out: list[MessageView] = []
    conversation = info.get("conversation") if isinstance(info, dict) else None
    for m in conversation if isinstance(conversation, list) else []:
        if not isinstance(m, dict):
            continue
        if m.get("role") == "user":
            for tc in m.get("tool_calls") or []:
                if isinstance(tc, dict):
                    out.append(MessageView(role="user_tool_call", name=str(tc.get("name", "?")),
                                           content=pretty(tc.get("arguments") or {})))
        elif m.get("role") == "tool" and m.get("requestor") == "user":
            out.append(MessageView(role="user_tool_result", name=m.get("name"),
                                   content=_maybe_json(_text(m.get("content"))), error=bool(m.get("error"))))
    return out


def _agent_messages(action: dict[str, Any] | None) -> list[MessageView]:
    if not isinstance(action, dict):
        return []
    if action.get("type") == "message":
        return [MessageView(role="assistant", content=_text(action.get("content")))]
    if action.get("type") == "tool_call":
        return [MessageView(role="tool_call", name=str(action.get("name", "?")),
                            content=pretty(action.get("arguments", {})))]
    return []


def build_episode_view(
    episode: EpisodeSummary,
    steps: Sequence[StepRecord],
    image_url: Callable[[str], str],
    image_size: Callable[[str], tuple[int, int] | None] = lambda sha: None,
    instruction: str | None = None,
) -> EpisodeView:
    """Turn stored steps into page sections. `image_url(sha)` gives the link to an artifact."""
    views: list[StepView] = []
    screen: ImageView | None = None       # the latest screen the agent has seen
    final: ImageView | None = None
    pointer = None
    n_calls = reasoning_tokens = 0
    for step in sorted(steps, key=lambda s: s.index):
        obs = step.observation or {}
        instruction = instruction or (obs.get("instruction") if isinstance(obs.get("instruction"), str) else None)
        view = StepView(
            index=step.index,
            title="reset" if step.index == 0 and step.action is None else describe(step.action),
            action_json=pretty(step.action) if step.action is not None else None,
            agent_messages=_agent_messages(step.action),
            user_tool_messages=_user_tool_messages(step.info),
            observed_messages=_messages(obs),
            reasoning=_text(step.agent_output.get("reasoning")) or None,
            text=_text(step.agent_output.get("text")) or None,
            calls=[call_view(c) for c in step.model_calls],
            action_error=_text(step.info.get("action_error")) or None,
            info_json=pretty({k: v for k, v in step.info.items() if k != "action_error"}) if step.info else None,
            observation_json=_rest_of_observation(obs, step.observation_artifacts),
            reward=step.reward, terminated=step.terminated, truncated=step.truncated,
            agent_time_s=step.agent_time_s, env_time_s=step.env_time_s,
        )
        if view.reasoning and any(c.reasoning == view.reasoning for c in view.calls):
            view.reasoning = None       # already shown with the call that produced it
        n_calls += len(step.model_calls)
        reasoning_tokens += sum(c.tokens_reasoning for c in step.model_calls)
        if step.action is not None:
            view.screen = screen
            view.shapes, pointer = shapes_for(step.action, pointer)
            final = None
        image = _screenshot(step, obs, image_url, image_size)
        if image is not None:
            screen = final = image
        views.append(view)
    return EpisodeView(
        episode=episode, instruction=instruction or episode.instruction, steps=views, final_screen=final,
        evaluation_json=pretty(episode.evaluation) if episode.evaluation else "",
        tokens_reasoning=reasoning_tokens, model_calls=n_calls,
    )


def _rest_of_observation(obs: dict[str, Any], artifacts: dict[str, str]) -> str | None:
    """The observation's fields not shown elsewhere (e.g. the accessibility tree)."""
    rest = {k: v for k, v in obs.items() if k not in ("messages", "instruction") and k not in artifacts}
    return pretty(rest) if rest else None


def _screenshot(step: StepRecord, obs: dict[str, Any], image_url: Callable[[str], str],
                image_size: Callable[[str], tuple[int, int] | None]) -> ImageView | None:
    arts = step.observation_artifacts
    name = next((k for k in SCREENSHOT_KEYS if k in arts), next(iter(arts), None))
    if name is None:
        return None
    sha = arts[name]
    width = height = None
    meta = obs.get(name)
    shape = meta.get("shape") if isinstance(meta, dict) else None
    if isinstance(shape, list) and len(shape) >= 2 and all(isinstance(v, int) for v in shape[:2]):
        height, width = shape[0], shape[1]
    else:
        size = image_size(sha)
        if size:
            width, height = size
    return ImageView(url=image_url(sha), width=width, height=height, name=name)
