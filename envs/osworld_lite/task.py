"""OSWorld's task JSON schema, as pydantic models.

A task is one JSON object (OSWorld keys plus `domain`, `split` and `solution`):

    {"id": "calc-sum-column", "instruction": "...", "snapshot": "libreoffice_calc",
     "domain": "calc", "split": "train", "related_apps": ["libreoffice_calc"],
     "config": [{"type": "copy", "parameters": {"fixture": "calc/sales.xlsx",
                                                "path": "~/Documents/sales.xlsx"}},
                {"type": "open", "parameters": {"path": "~/Documents/sales.xlsx"}}],
     "evaluator": {"func": "compare_table", "result": {"type": "vm_file", ...},
                   "expected": {"type": "fixture", "fixture": "calc/sales_expected.xlsx"},
                   "options": {"rules": [...]}},
     "solution": [{"action_type": "HOTKEY", "keys": ["ctrl", "s"]}, ...]}

Config step types and their parameters (`~` is the episode's HOME inside the sandbox):

* `copy`: `path` (destination) and exactly one source: `fixture` (a generated fixture name:
  the runtime calls `envs.osworld_lite.fixtures.materialize_fixture(name, dest_path)`, which
  writes a file or a folder at `dest_path`) or `file` (a path relative to the folder of the task
  file, for users' own tasks; `Task.source_file(step.parameters)` returns the host path).
  `CopyParams.materialize(task, dest_path)` does either. Replaces OSWorld's `download`.
* `launch`: `command` (list, or a string with `shell: true`), started in the background.
* `execute` (alias `command`): `command`, `shell`; runs to completion inside the sandbox.
* `open`: `path`, opened with its default application.
* `sleep`: `seconds`.
* `activate_window`: `window_name`, `strict`, `by_class`.
* `chrome_open_tabs`: `urls_to_open`.

Evaluator getter specs (`result`, `expected`) are `{"type": ..., ...}` dicts resolved by the
runtime, except `rule` and `fixture` specs, which `evaluator.py` resolves itself.
`parse_task` / `parse_tasks` turn JSON data into `Task`s with errors that name the task id.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from envs.types import TaskInfo

FAMILY = "osworld-lite"

# OSWorld's computer_13 action types, plus the pyautogui-code form.
ACTION_TYPES = frozenset({
    "MOVE_TO", "CLICK", "MOUSE_DOWN", "MOUSE_UP", "RIGHT_CLICK", "DOUBLE_CLICK", "DRAG_TO",
    "SCROLL", "TYPING", "PRESS", "KEY_DOWN", "KEY_UP", "HOTKEY", "WAIT", "FAIL", "DONE",
    "PYAUTOGUI",
})
CONFIG_ALIASES = {"command": "execute"}
UNSUPPORTED_CONFIG = {
    "download": "files are never downloaded here: generate them with a `copy` step "
                "(`fixture` or `file` beside the task file) or an `execute` step",
    "googledrive": "there is no network access in osworld-lite",
    "login": "there is no network access in osworld-lite",
}


UNSUPPORTED_GETTERS = {
    "cloud_file": "files are never downloaded: name the expected file with "
                  "{\"type\": \"fixture\", \"file\": PATH} (beside the task file) or a generated fixture",
    "googledrive_file": "there is no network access in osworld-lite",
}


class TaskSchemaError(ValueError):
    """A task file or task record does not follow the schema; the message names the task."""


class _Lenient(BaseModel):
    # Like OSWorld, unknown keys are kept rather than rejected.
    model_config = ConfigDict(extra="allow")


Command = list[str] | str


class _CommandParams(_Lenient):
    command: Command
    shell: bool = False

    @model_validator(mode="after")
    def _shape(self) -> _CommandParams:
        # A string without "shell": true is split like a shell would (as OSWorld does).
        if not (self.command if isinstance(self.command, list) else self.command.strip()):
            raise ValueError("command is empty")
        return self


class CopyParams(_Lenient):
    path: str
    fixture: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CopyParams:
        if (self.fixture is None) == (self.file is None):
            raise ValueError("a copy step needs exactly one of \"fixture\" or \"file\"")
        return self

    def materialize(self, task: Task, dest_path: str | Path) -> None:
        """Write this step's source (fixture or file beside the task file) at `dest_path`."""
        dest = Path(dest_path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if self.fixture is not None:
            from envs.osworld_lite.fixtures import materialize_fixture

            materialize_fixture(self.fixture, dest)
            return
        src = task.source_file(self.file or "")
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, dest)


class LaunchParams(_CommandParams):
    pass


class ExecuteParams(_CommandParams):
    pass


class OpenParams(_Lenient):
    path: str


class SleepParams(_Lenient):
    seconds: float = Field(ge=0, le=120)


class ActivateWindowParams(_Lenient):
    window_name: str
    strict: bool = False
    by_class: bool = False


class ChromeOpenTabsParams(_Lenient):
    urls_to_open: list[str] = Field(min_length=1)


class CopyStep(BaseModel):
    type: Literal["copy"]
    parameters: CopyParams


class LaunchStep(BaseModel):
    type: Literal["launch"]
    parameters: LaunchParams


class ExecuteStep(BaseModel):
    type: Literal["execute"]
    parameters: ExecuteParams


class OpenStep(BaseModel):
    type: Literal["open"]
    parameters: OpenParams


class SleepStep(BaseModel):
    type: Literal["sleep"]
    parameters: SleepParams


class ActivateWindowStep(BaseModel):
    type: Literal["activate_window"]
    parameters: ActivateWindowParams


class ChromeOpenTabsStep(BaseModel):
    type: Literal["chrome_open_tabs"]
    parameters: ChromeOpenTabsParams


ConfigStep = Annotated[
    CopyStep | LaunchStep | ExecuteStep | OpenStep | SleepStep | ActivateWindowStep | ChromeOpenTabsStep,
    Field(discriminator="type"),
]
CONFIG_TYPES = ("copy", "launch", "execute", "open", "sleep", "activate_window", "chrome_open_tabs")


def _normalize_steps(steps: Any) -> Any:
    if not isinstance(steps, list):
        return steps
    out = []
    for step in steps:
        if isinstance(step, dict) and isinstance(step.get("type"), str):
            kind = step["type"]
            if kind in UNSUPPORTED_CONFIG:
                raise ValueError(f"config step type {kind!r} is not supported: {UNSUPPORTED_CONFIG[kind]}")
            if kind not in CONFIG_TYPES and kind not in CONFIG_ALIASES:
                raise ValueError(f"unknown config step type {kind!r}; known: {', '.join(CONFIG_TYPES)} "
                                 f"(aliases: {', '.join(CONFIG_ALIASES)})")
            step = {**step, "type": CONFIG_ALIASES.get(kind, kind), "parameters": step.get("parameters", {})}
        out.append(step)
    return out


class GetterSpec(_Lenient):
    """`{"type": "vm_file", "path": ..., "dest": ...}` and the like; extra keys are the getter's."""

    type: str

    @field_validator("type")
    @classmethod
    def _supported(cls, v: str) -> str:
        if v in UNSUPPORTED_GETTERS:
            raise ValueError(f"getter type {v!r} is not supported: {UNSUPPORTED_GETTERS[v]}")
        return v

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


SpecOrList = GetterSpec | None | list[GetterSpec | None]


class EvaluatorSpec(_Lenient):
    func: str | list[str]
    result: SpecOrList = None
    expected: SpecOrList = None
    options: dict[str, Any] | list[dict[str, Any] | None] | None = None
    conj: Literal["and", "or"] = "and"
    postconfig: list[ConfigStep] = Field(default_factory=list)

    _norm_post = field_validator("postconfig", mode="before")(lambda cls, v: _normalize_steps(v))

    @field_validator("func")
    @classmethod
    def _func_names(cls, v: str | list[str]) -> str | list[str]:
        if isinstance(v, list) and not v:
            raise ValueError("func list is empty")
        return v

    @property
    def funcs(self) -> list[str]:
        return [self.func] if isinstance(self.func, str) else list(self.func)

    def _per_func(self, value: Any, what: str) -> list[Any]:
        n = len(self.funcs)
        if isinstance(value, list):
            if len(value) != n:
                raise ValueError(f"evaluator has {n} func(s) but {len(value)} {what} entries")
            return list(value)
        return [value] * n  # a single spec or None serves every func

    @property
    def results(self) -> list[GetterSpec | None]:
        return self._per_func(self.result, "result")

    @property
    def expecteds(self) -> list[GetterSpec | None]:
        return self._per_func(self.expected, "expected")

    @property
    def options_list(self) -> list[dict[str, Any]]:
        return [o or {} for o in self._per_func(self.options, "options")]

    @model_validator(mode="after")
    def _parallel_lists(self) -> EvaluatorSpec:
        if self.funcs == ["infeasible"]:
            return self
        if "infeasible" in self.funcs:
            raise ValueError("\"infeasible\" cannot be combined with other funcs")
        self.results, self.expecteds, self.options_list  # noqa: B018  (raises on bad lengths)
        from envs.osworld_lite.metrics import METRICS

        unknown = [f for f in self.funcs if f not in METRICS]
        if unknown:
            raise ValueError(f"unknown metric(s) {unknown}; known: {', '.join(sorted(METRICS))}")
        return self


def _check_action(action: Any) -> dict[str, Any]:
    if not isinstance(action, dict):
        raise ValueError(f"a solution action must be an object, got {action!r}")
    kind = action.get("action_type")
    if kind not in ACTION_TYPES:
        raise ValueError(f"unknown action_type {kind!r}; known: {', '.join(sorted(ACTION_TYPES))}")
    params = action.get("parameters")
    if params is not None and not isinstance(params, dict):
        raise ValueError(f"\"parameters\" of a {kind} action must be an object")
    return action


def flatten_action(action: dict[str, Any]) -> dict[str, Any]:
    """computer_13 dict with its parameters at top level (OSWorld allows both shapes)."""
    flat = {k: v for k, v in action.items() if k != "parameters"}
    flat.update(action.get("parameters") or {})
    return flat


class Task(_Lenient):
    id: str = Field(min_length=1)
    instruction: str = Field(min_length=1)
    snapshot: str = ""
    source: str = ""
    related_apps: list[str] = Field(default_factory=list)
    config: list[ConfigStep] = Field(default_factory=list)
    evaluator: EvaluatorSpec
    infeasible: bool = False
    domain: str = ""
    split: Literal["train", "test"] = "test"
    solution: list[dict[str, Any]] | None = None
    # Folder of the task file, for `copy` steps with `file` and `fixture` specs with `file`.
    base_dir: Path | None = Field(default=None, exclude=True)

    _norm_config = field_validator("config", mode="before")(lambda cls, v: _normalize_steps(v))

    @field_validator("solution")
    @classmethod
    def _solution(cls, v: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        return None if v is None else [_check_action(a) for a in v]

    @model_validator(mode="after")
    def _derived(self) -> Task:
        if self.evaluator.funcs == ["infeasible"]:
            self.infeasible = True
        if not self.domain:
            self.domain = self.snapshot or (self.related_apps[0] if self.related_apps else "custom")
        return self

    def solution_actions(self) -> list[dict[str, Any]] | None:
        return None if self.solution is None else [flatten_action(a) for a in self.solution]

    def source_file(self, rel: str) -> Path:
        """Host path of a file named relative to the task file's folder (never outside it)."""
        if self.base_dir is None:
            raise TaskSchemaError(f"task {self.id!r}: {rel!r} is relative to the task file, "
                                  "but this task was not loaded from a file")
        base = self.base_dir.resolve()
        path = (base / rel).resolve()
        if not path.is_relative_to(base):
            raise TaskSchemaError(f"task {self.id!r}: file {rel!r} lies outside the task file's folder {base}")
        if not path.exists():
            raise TaskSchemaError(f"task {self.id!r}: file {rel!r} not found in {base}")
        return path

    def to_task_info(self) -> TaskInfo:
        return TaskInfo(
            id=self.id, env=FAMILY, domain=self.domain, split=self.split,
            instruction=self.instruction, infeasible=self.infeasible,
            has_solution=self.solution is not None,
            metadata={"snapshot": self.snapshot, "related_apps": self.related_apps, "source": self.source},
        )


def _format_error(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
    return "; ".join(parts)


def parse_task(data: Any, *, origin: str = "", base_dir: Path | None = None) -> Task:
    """Validate one task record; errors name the task id (or its position) and the origin."""
    where = f" in {origin}" if origin else ""
    if not isinstance(data, dict):
        raise TaskSchemaError(f"a task must be a JSON object{where}, got {type(data).__name__}")
    name = data.get("id") or "<no id>"
    try:
        task = Task.model_validate({**data, "base_dir": base_dir})
    except ValidationError as err:
        raise TaskSchemaError(f"task {name!r}{where}: {_format_error(err)}") from None
    return task


def parse_tasks(data: Any, *, origin: str = "", base_dir: Path | None = None) -> list[Task]:
    """One task object or a list of them."""
    items = data if isinstance(data, list) else [data]
    return [parse_task(item, origin=origin, base_dir=base_dir) for item in items]
