"""The typed action model: OSWorld's computer_13 action space (plus pyautogui code strings).

Actions arrive as these pydantic models, as dicts (parameters flat or under "parameters") or
as JSON strings. `parse_action` validates one and raises `ActionError` with a message fit for
the agent; the env turns that into `info["action_error"]` instead of ending the episode.
"""
from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from envs.osworld_lite.input import KeyError_, validate_key

Button = Literal["left", "right", "middle"]
MAX_TEXT = 10_000
MAX_WAIT_S = 60.0


class ActionError(ValueError):
    """An action the env cannot execute (malformed, unknown key, off-screen …)."""


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def _key(v: str) -> str:
    try:
        return validate_key(v)
    except KeyError_ as exc:
        raise ValueError(str(exc)) from None


class _Point(_Action):
    x: int
    y: int

    @field_validator("x", "y", mode="before")
    @classmethod
    def _round(cls, v: Any) -> Any:
        return round(v) if isinstance(v, float) else v


class _OptionalPoint(_Action):
    x: int | None = None
    y: int | None = None

    _round = field_validator("x", "y", mode="before")(lambda cls, v: round(v) if isinstance(v, float) else v)

    @model_validator(mode="after")
    def _both_or_none(self):
        if (self.x is None) != (self.y is None):
            raise ValueError("give both x and y, or neither (to act at the current pointer)")
        return self


class MoveTo(_Point):
    action_type: Literal["MOVE_TO"] = "MOVE_TO"


class Click(_OptionalPoint):
    action_type: Literal["CLICK"] = "CLICK"
    button: Button = "left"
    num_clicks: int = Field(default=1, ge=1, le=3)


class RightClick(_OptionalPoint):
    action_type: Literal["RIGHT_CLICK"] = "RIGHT_CLICK"


class DoubleClick(_OptionalPoint):
    action_type: Literal["DOUBLE_CLICK"] = "DOUBLE_CLICK"


class MouseDown(_Action):
    action_type: Literal["MOUSE_DOWN"] = "MOUSE_DOWN"
    button: Button = "left"


class MouseUp(_Action):
    action_type: Literal["MOUSE_UP"] = "MOUSE_UP"
    button: Button = "left"


class DragTo(_Point):
    action_type: Literal["DRAG_TO"] = "DRAG_TO"
    button: Button = "left"


class Scroll(_Action):
    action_type: Literal["SCROLL"] = "SCROLL"
    dx: int = Field(default=0, ge=-50, le=50)
    dy: int = Field(default=0, ge=-50, le=50)


class Typing(_Action):
    action_type: Literal["TYPING"] = "TYPING"
    text: str = Field(max_length=MAX_TEXT)


class Press(_Action):
    action_type: Literal["PRESS"] = "PRESS"
    key: str
    _check = field_validator("key")(lambda cls, v: _key(v))


class KeyDown(Press):
    action_type: Literal["KEY_DOWN"] = "KEY_DOWN"  # type: ignore[assignment]


class KeyUp(Press):
    action_type: Literal["KEY_UP"] = "KEY_UP"  # type: ignore[assignment]


class Hotkey(_Action):
    action_type: Literal["HOTKEY"] = "HOTKEY"
    keys: list[str] = Field(min_length=1, max_length=6)

    @field_validator("keys")
    @classmethod
    def _keys(cls, v: list[str]) -> list[str]:
        return [_key(k) for k in v]


class Wait(_Action):
    action_type: Literal["WAIT"] = "WAIT"
    seconds: float = Field(default=1.0, ge=0, le=MAX_WAIT_S)


class Fail(_Action):
    action_type: Literal["FAIL"] = "FAIL"


class Done(_Action):
    action_type: Literal["DONE"] = "DONE"


class PyAutoGui(_Action):
    """OSWorld's pyautogui action space: code that is parsed (never executed)."""

    action_type: Literal["PYAUTOGUI"] = "PYAUTOGUI"
    code: str = Field(max_length=MAX_TEXT)


Action = Annotated[
    MoveTo | Click | RightClick | DoubleClick | MouseDown | MouseUp | DragTo | Scroll | Typing | Press
    | KeyDown | KeyUp | Hotkey | Wait | Fail | Done | PyAutoGui,
    Field(discriminator="action_type"),
]
ACTION_TYPES = ("MOVE_TO", "CLICK", "MOUSE_DOWN", "MOUSE_UP", "RIGHT_CLICK", "DOUBLE_CLICK", "DRAG_TO",
                "SCROLL", "TYPING", "PRESS", "KEY_DOWN", "KEY_UP", "HOTKEY", "WAIT", "FAIL", "DONE", "PYAUTOGUI")
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Action)


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    params = data.get("parameters")
    if params is None:
        return dict(data)
    if not isinstance(params, dict):
        raise ActionError("\"parameters\" must be an object")
    flat = {k: v for k, v in data.items() if k != "parameters"}
    clash = set(flat) & set(params) - {"action_type"}
    if clash:
        raise ActionError(f"parameters given twice (flat and under \"parameters\"): {sorted(clash)}")
    flat.update(params)
    return flat


def parse_action(action: Any, screen: tuple[int, int] | None = None) -> Any:
    """A validated action model; raises ActionError with a readable reason."""
    if isinstance(action, BaseModel) and type(action).__name__ in _MODEL_NAMES:
        model = action
    else:
        if isinstance(action, (str, bytes)):
            try:
                action = json.loads(action)
            except ValueError as exc:
                raise ActionError(f"action is not valid JSON: {exc}") from None
        if isinstance(action, BaseModel):
            action = action.model_dump()
        if not isinstance(action, dict):
            raise ActionError(f"an action must be an object with \"action_type\", got {type(action).__name__}")
        data = _flatten(action)
        kind = data.get("action_type")
        if isinstance(kind, str):
            data["action_type"] = kind = kind.upper()
        if kind not in ACTION_TYPES:
            raise ActionError(f"unknown action_type {kind!r}; known: {', '.join(ACTION_TYPES)}")
        try:
            model = _ADAPTER.validate_python(data)
        except ValidationError as exc:
            raise ActionError(f"{kind}: {_explain(exc)}") from None
    if screen is not None:
        check_on_screen(model, screen)
    return model


def check_on_screen(model: Any, screen: tuple[int, int]) -> None:
    x, y = getattr(model, "x", None), getattr(model, "y", None)
    if x is None or y is None:
        return
    width, height = screen
    if not (0 <= x < width and 0 <= y < height):
        raise ActionError(f"{model.action_type}: ({x}, {y}) is off the {width}x{height} screen")


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"][1:] if p != "function-after")
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


_MODEL_NAMES = {m.__name__ for m in (MoveTo, Click, RightClick, DoubleClick, MouseDown, MouseUp, DragTo, Scroll,
                                      Typing, Press, KeyDown, KeyUp, Hotkey, Wait, Fail, Done, PyAutoGui)}
