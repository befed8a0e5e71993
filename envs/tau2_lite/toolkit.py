"""Tools declared once, as Python methods.

A domain's tools are the methods of a `Toolkit` subclass marked with `@tool(...)`:

    class CardTools(Toolkit):
        db: CardDB

        @tool(ToolType.READ)
        def get_card(self, card_id: str) -> Card:
            '''Get the details of a card.

            Args:
                card_id: The card id, such as 'card_0000001'.
            '''
            if card_id not in self.db.cards:
                raise ValueError("Card not found")
            return self.db.cards[card_id]

* The OpenAI function schema comes from the signature (types, defaults) and the docstring
  (first paragraphs = description, `Args:` section = parameter descriptions), built the way
  τ²-bench builds it, so agents see the same schemas as in τ²-bench.
* A call's arguments are validated against the signature first (missing, unknown or mistyped
  arguments give a clear error; numbers are normalised to the annotated type).
* A tool signals a failure by raising (normally `ValueError("Order not found")`); the caller
  gets `ToolResult(content="Error: Order not found", error=True)`.
* Results are encoded exactly like τ²-bench: a `str` as is, anything else (pydantic models,
  lists, dicts) with `json.dumps` (default separators, model field order). See `encode_output`.
* `ToolType.WRITE` tools mutate the DB; only they are replayed when grading the DB. A tool that
  is conceptually a write but does not change state passes `mutates_state=False`.
* Tools read "now" from `self.clock` and make new ids with `self.ids` (see determinism.py).
"""
from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from docstring_parser import parse as parse_docstring
from pydantic import BaseModel, Field, ValidationError, create_model

from envs.tau2_lite.determinism import FixedClock, IdGenerator

_TOOL_ATTR = "__tau2_tool__"


class ToolType(StrEnum):
    READ = "read"          # queries data, no side effects
    WRITE = "write"        # creates, updates or deletes data
    THINK = "think"        # pure reasoning, no new information
    GENERIC = "generic"    # utilities (calculator, transfer to a human)


@dataclass(frozen=True)
class _Mark:
    kind: ToolType
    mutates_state: bool


def tool(kind: ToolType = ToolType.READ, *, mutates_state: bool | None = None) -> Callable:
    """Mark a `Toolkit` method as a tool. `mutates_state` defaults to `kind == WRITE`."""
    mutates = (kind == ToolType.WRITE) if mutates_state is None else mutates_state

    def deco(func: Callable) -> Callable:
        setattr(func, _TOOL_ATTR, _Mark(ToolType(kind), mutates))
        return func
    return deco


class ToolArgumentError(ValueError):
    """The arguments of a tool call do not fit the tool's signature."""


@dataclass(frozen=True)
class ToolSpec:
    """Everything known about one tool, built once per toolkit class."""

    name: str
    kind: ToolType
    mutates_state: bool
    description: str
    params: type[BaseModel]       # validation model (and schema source) of the arguments
    schema: dict[str, Any]        # OpenAI function-tool schema

    @property
    def writes(self) -> bool:
        return self.kind == ToolType.WRITE


@dataclass(frozen=True)
class ToolResult:
    content: str
    error: bool = False


def _param_hints(func: Callable) -> dict[str, Any]:
    """Resolved parameter annotations (modules may use `from __future__ import annotations`);
    the return annotation is left out so it may name types defined later."""
    def holder() -> None: ...
    holder.__annotations__ = {k: v for k, v in getattr(func, "__annotations__", {}).items() if k != "return"}
    try:
        return typing.get_type_hints(holder, globalns=func.__globals__, include_extras=True)
    except NameError as exc:
        raise TypeError(f"tool {func.__name__}: cannot resolve a parameter type: {exc}") from None


def build_spec(func: Callable, mark: _Mark) -> ToolSpec:
    """Parse a tool method's signature and docstring into a `ToolSpec`."""
    doc = parse_docstring(func.__doc__ or "")
    described = {p.arg_name: p.description for p in doc.params}
    fields: dict[str, Any] = {}
    hints = _param_hints(func)
    for name, param in inspect.signature(func).parameters.items():
        if name == "self":
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"tool {func.__name__}: *args/**kwargs are not allowed")
        annotation = hints.get(name, Any)
        default = ... if param.default is param.empty else param.default
        if name in described:
            default = Field(default, description=described[name])
        fields[name] = (annotation, default)
    # Named "parameters" like τ²-bench, so the JSON schema (and its "title") is identical.
    params = create_model("parameters", **fields)  # type: ignore[call-overload]
    short, long = doc.short_description or "", doc.long_description or ""
    description = (short + "\n\n" + long) if (short and long) else (short or func.__name__)
    schema = {
        "type": "function",
        "function": {"name": func.__name__, "description": description,
                     "parameters": params.model_json_schema()},
    }
    return ToolSpec(func.__name__, mark.kind, mark.mutates_state, description, params, schema)


def _plain(value: Any) -> Any:
    """τ²-bench's `to_json_str` preprocessing: models are dumped, scalars inside become str."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, (int, float, bool)):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise ValueError(f"Unsupported type: {type(value)}")


def encode_output(value: Any) -> str:
    """Encode a tool result exactly like τ²-bench: str as is, everything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(_plain(value), default=str)


def _describe_validation(tool_name: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{where}: {err['msg']}")
    return f"Invalid arguments for tool '{tool_name}': " + "; ".join(parts)


class Toolkit:
    """Base class of a domain's tool set (agent tools, or the user simulator's tools).

    `db` is the live DB the tools act on (see db.py); `clock` and `ids` make time and new ids
    deterministic. Subclasses declare tools with `@tool`; helper methods stay unmarked.
    Non-tool public methods (e.g. `assert_task_status`) can be called by task
    `initialization_actions` and `env_assertions` through `call_function`.
    """

    _specs: ClassVar[dict[str, ToolSpec]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        specs: dict[str, ToolSpec] = {}
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                mark = getattr(attr, _TOOL_ATTR, None)
                if isinstance(mark, _Mark):
                    specs[name] = build_spec(attr, mark)
        cls._specs = specs

    def __init__(self, db: Any, *, clock: FixedClock | None = None,
                 ids: IdGenerator | None = None) -> None:
        self.db = db
        self.clock = clock or FixedClock()
        self.ids = ids or IdGenerator()

    # -- introspection -------------------------------------------------------------------
    @classmethod
    def specs(cls) -> dict[str, ToolSpec]:
        """Tool name -> spec, in declaration order."""
        return dict(cls._specs)

    @classmethod
    def schemas(cls) -> list[dict[str, Any]]:
        """OpenAI function-tool schemas, in declaration order (as τ²-bench lists them)."""
        return [spec.schema for spec in cls._specs.values()]

    @classmethod
    def has_tool(cls, name: str) -> bool:
        return name in cls._specs

    @classmethod
    def mutates_state(cls, name: str) -> bool:
        """Unknown tools count as mutating (replaying them is the safe choice)."""
        spec = cls._specs.get(name)
        return True if spec is None else spec.mutates_state

    # -- calling -------------------------------------------------------------------------
    def call(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        """Validate the arguments and run the tool; raises on any failure."""
        spec = self._specs.get(name)
        if spec is None:
            raise ValueError(f"Tool '{name}' not found.")
        arguments = arguments or {}
        if not isinstance(arguments, dict):
            raise ToolArgumentError(f"Invalid arguments for tool '{name}': expected a JSON object, "
                                    f"got {type(arguments).__name__}")
        unknown = sorted(set(arguments) - set(spec.params.model_fields))
        if unknown:
            raise ToolArgumentError(f"Invalid arguments for tool '{name}': unexpected argument(s) "
                                    f"{', '.join(unknown)}; expected {', '.join(spec.params.model_fields) or 'none'}")
        try:
            validated = spec.params.model_validate(arguments)
        except ValidationError as exc:
            raise ToolArgumentError(_describe_validation(name, exc)) from None
        kwargs = {field: getattr(validated, field) for field in spec.params.model_fields}
        return getattr(self, name)(**kwargs)

    def execute(self, name: str, arguments: dict[str, Any] | None = None) -> ToolResult:
        """Run a tool and encode its result or its error the way τ²-bench does."""
        try:
            value = self.call(name, arguments)
            # Unchanged shared records (see db.Table.peek) are encoded once per process.
            source = getattr(self.db, "source", None)
            cached = source.shared_encoding(value, encode_output) if isinstance(value, BaseModel) and \
                source is not None else None
            return ToolResult(cached if cached is not None else encode_output(value))
        except Exception as exc:  # noqa: BLE001 - every tool failure goes back to the caller
            return ToolResult(encode_output(f"Error: {exc}"), error=True)

    def call_function(self, func_name: str, arguments: dict[str, Any] | None = None) -> Any:
        """Run any public method (tool or not) by name: initialization actions, assertions."""
        func = getattr(self, func_name, None) if not func_name.startswith("_") else None
        if func is None or not callable(func):
            raise ValueError(f"Function {func_name} not found in {type(self).__name__}")
        return func(**(arguments or {}))
