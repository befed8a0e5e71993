"""OSWorld's own task records, read as they are.

OSWorld's task files (`evaluation_examples/examples/<domain>/<id>.json`) are loaded without
rejecting anything that osworld-lite's stricter schema would: a `download` step, a
`googledrive` step, an unknown getter or metric all load, and what this machine cannot do
becomes a *blocker* of the task (envs/osworld/blockers.py), never a load error. Only a file
that is not a task at all (no id, no instruction, no evaluator func) fails to load.

`OSWorldTask` offers what the osworld-lite runtime reads from a task (`id`, `instruction`,
`config` steps with `.type` / `.parameters`, `evaluator` with `funcs`, `results`, `expecteds`,
`options_list`, `conj`, `postconfig`, `infeasible`, `solution_actions()`), so the same desktop,
step runner and evaluator run it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from envs.osworld_lite import task as lite
from envs.types import TaskInfo

FAMILY = "osworld"


class TaskLoadError(ValueError):
    """A file that is not an OSWorld task record; the message names the file."""


def _errors(err: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
                     for e in err.errors())


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


class DownloadFile(_Lenient):
    url: str = Field(min_length=1)
    path: str = Field(min_length=1)


class DownloadParams(_Lenient):
    files: list[DownloadFile] = Field(min_length=1)


class CloseWindowParams(lite.ActivateWindowParams):
    pass


class ChromeCloseTabsParams(_Lenient):
    urls_to_close: list[str] = Field(min_length=1)


class HistoryItem(_Lenient):
    url: str
    title: str = ""
    visit_time_from_now_in_seconds: float = 0


class UpdateBrowseHistoryParams(_Lenient):
    history: list[HistoryItem] = Field(default_factory=list)


class OtherParams(_Lenient):
    """Parameters of step types this runtime cannot run (googledrive, login, …): kept as given."""


# OSWorld step type → parameter model. `command` is OSWorld's alias of `execute`.
PARAMS: dict[str, type[BaseModel]] = {
    "download": DownloadParams,
    "launch": lite.LaunchParams,
    "execute": lite.ExecuteParams,
    "command": lite.ExecuteParams,
    "open": lite.OpenParams,
    "sleep": lite.SleepParams,
    "activate_window": lite.ActivateWindowParams,
    "close_window": CloseWindowParams,
    "chrome_open_tabs": lite.ChromeOpenTabsParams,
    "chrome_close_tabs": ChromeCloseTabsParams,
    "update_browse_history": UpdateBrowseHistoryParams,
}
# Step types that load but need what this runtime has not (a blocker names them).
ACCOUNT_STEPS = ("googledrive", "login")


class Step(BaseModel):
    """One setup or postconfig step: `type`, its typed `parameters`, and `problem` when the
    step's type is unknown here or its parameters do not fit OSWorld's (a blocker)."""

    type: str
    parameters: Any
    raw: dict[str, Any] = Field(default_factory=dict)
    problem: str | None = None


def parse_step(data: Any) -> Step:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return Step(type="?", parameters=OtherParams(), raw={"value": data},
                    problem=f"a step must be an object with a \"type\", got {data!r:.80}")
    kind, params = data["type"], data.get("parameters") or {}
    model = PARAMS.get(kind)
    if model is None:
        problem = None if kind in ACCOUNT_STEPS else f"setup step type {kind!r} is not supported"
        return Step(type=kind, parameters=OtherParams.model_validate(params if isinstance(params, dict) else {}),
                    raw=data, problem=problem)
    try:
        parsed = model.model_validate(params)
    except ValidationError as err:
        return Step(type=kind, parameters=OtherParams(), raw=data,
                    problem=f"{kind} step: {_errors(err)}")
    # The step runner knows `command` as `execute` (OSWorld's _command_setup calls _execute_setup).
    return Step(type="execute" if kind == "command" else kind, parameters=parsed, raw=data)


class GetterSpec(_Lenient):
    """`{"type": "vm_file", ...}`: the getter's own keys are kept as given."""

    type: str

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


def _specs(value: Any) -> Any:
    if isinstance(value, list):
        return [None if v is None else GetterSpec.model_validate(v) for v in value]
    return None if value is None else GetterSpec.model_validate(value)


class Evaluator(_Lenient):
    """OSWorld's evaluator block with osworld-lite's evaluator interface."""

    func: str | list[str]
    result: Any = None
    expected: Any = None
    options: dict[str, Any] | list[dict[str, Any] | None] | None = None
    conj: str = "and"
    postconfig: list[Step] = Field(default_factory=list)

    _post = field_validator("postconfig", mode="before")(lambda cls, v: [parse_step(s) for s in v or []])
    _res = field_validator("result", "expected", mode="before")(lambda cls, v: _specs(v))

    @field_validator("func")
    @classmethod
    def _func(cls, v: str | list[str]) -> str | list[str]:
        if isinstance(v, list) and not v:
            raise ValueError("func list is empty")
        return v

    @property
    def funcs(self) -> list[str]:
        return [self.func] if isinstance(self.func, str) else list(self.func)

    def _per_func(self, value: Any) -> list[Any]:
        # OSWorld: with a func list, result/expected/options are lists of the same length.
        return list(value) if isinstance(value, list) else [value] * len(self.funcs)

    @property
    def results(self) -> list[GetterSpec | None]:
        return self._per_func(self.result)

    @property
    def expecteds(self) -> list[GetterSpec | None]:
        return self._per_func(self.expected)

    @property
    def options_list(self) -> list[dict[str, Any]]:
        return [o or {} for o in self._per_func(self.options)]

    def shape_problem(self) -> str | None:
        """Why the lists do not line up with `func` (a blocker), or None."""
        if self.funcs == ["infeasible"]:
            return None
        n = len(self.funcs)
        for what, value in (("result", self.result), ("expected", self.expected), ("options", self.options)):
            if isinstance(value, list) and len(value) != n:
                return f"evaluator has {n} func(s) but {len(value)} {what} entries"
        if self.conj not in ("and", "or"):
            return f"evaluator conj {self.conj!r} is neither \"and\" nor \"or\""
        return None

    def getter_specs(self) -> list[GetterSpec]:
        return [s for s in (*self.results, *self.expecteds) if s is not None]


class OSWorldTask(_Lenient):
    id: str = Field(min_length=1)
    instruction: str = Field(min_length=1)
    snapshot: str = ""
    source: Any = ""               # a URL, a list of them, or a note: kept as given
    related_apps: list[str] = Field(default_factory=list)
    config: list[Step] = Field(default_factory=list)
    evaluator: Evaluator
    proxy: bool = False
    domain: str = ""
    origin: str = Field(default="", exclude=True)   # the file it came from

    _cfg = field_validator("config", mode="before")(lambda cls, v: [parse_step(s) for s in v or []])
    _apps = field_validator("related_apps", mode="before")(
        lambda cls, v: [str(a) for a in v] if isinstance(v, list) else v)

    @property
    def infeasible(self) -> bool:
        return self.evaluator.funcs == ["infeasible"]

    @property
    def solution(self) -> None:
        return None  # OSWorld's task files carry no reference solution

    def solution_actions(self) -> None:
        return None

    def all_steps(self) -> list[Step]:
        return [*self.config, *self.evaluator.postconfig]

    def to_task_info(self, blockers: list[str] | None = None) -> TaskInfo:
        meta: dict[str, Any] = {"snapshot": self.snapshot, "related_apps": self.related_apps,
                                "source": self.source, "proxy": self.proxy}
        if blockers is not None:
            meta.update(runnable=not blockers, blockers=list(blockers))
        return TaskInfo(id=self.id, env=FAMILY, domain=self.domain, split="test",
                        instruction=self.instruction, infeasible=self.infeasible,
                        has_solution=False, metadata=meta)


def parse_task(data: Any, *, origin: str, domain: str = "") -> OSWorldTask:
    if not isinstance(data, dict):
        raise TaskLoadError(f"{origin}: an OSWorld task must be a JSON object, got {type(data).__name__}")
    name = data.get("id") or "<no id>"
    try:
        task = OSWorldTask.model_validate({**data, "domain": domain or data.get("domain") or "",
                                           "origin": origin})
    except ValidationError as err:
        raise TaskLoadError(f"task {name!r} in {origin}: {_errors(err)}") from None
    if not task.domain:
        task.domain = Path(origin).parent.name or task.snapshot or "custom"
    return task
