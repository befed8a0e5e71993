"""τ²-bench's telecom domain (dual control), read from `--data-dir`.

The agent works the back office (customers, lines, bills, roaming, data refuels); the
simulated user holds a phone with 30 tools of its own. The data directory is τ²-bench's
`data/tau2/domains/telecom`: db.toml, user_db.toml, tasks.json, split_tasks.json,
main_policy.md and tech_support_manual.md (tech_support_workflow.md for `telecom-workflow`).
"""
from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from envs.tau2_lite.db import DBSource
from envs.tau2_lite.domain import Domain, register_domain
from envs.tau2_lite.domains.telecom.models import TelecomDB
from envs.tau2_lite.domains.telecom.sync import sync_surroundings
from envs.tau2_lite.domains.telecom.tools import TelecomTools
from envs.tau2_lite.domains.telecom.user_models import TelecomUserDB
from envs.tau2_lite.domains.telecom.user_tools import TelecomUserTools
from envs.tau2_lite.tasks import Task, load_tasks


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"DB file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from None


@register_domain
class TelecomDomain(Domain):
    name = "telecom"
    description = "τ²-bench telecom: technical support where the user acts on their own phone (dual control)."
    db_class = TelecomDB
    toolkit_class = TelecomTools
    user_db_class = TelecomUserDB
    user_toolkit_class = TelecomUserTools
    now = datetime(2025, 2, 25)
    needs_data_dir = True
    tech_support_file: ClassVar[str] = "tech_support_manual.md"
    task_split: ClassVar[str] = "base"   # the reference's default task set

    def __init__(self, data_dir: str | Path | None = None, **options: Any) -> None:
        super().__init__(data_dir, **options)
        if self.data_dir is None:
            raise ValueError(f"domain {self.name!r} needs its τ²-bench data: pass --data-dir pointing at your "
                             "τ²-bench checkout's data/tau2/domains/telecom")
        if not self.data_dir.is_dir():
            raise ValueError(f"--data-dir {self.data_dir} is not a directory")
        needed = ("db.toml", "user_db.toml", "tasks.json", "main_policy.md", self.tech_support_file)
        missing = [f for f in needed if not (self.data_dir / f).is_file()]
        if missing:
            raise ValueError(f"--data-dir {self.data_dir} lacks {', '.join(missing)}; it should be "
                             "τ²-bench's data/tau2/domains/telecom")

    def policy(self) -> str:
        main = (self.data_dir / "main_policy.md").read_text(encoding="utf-8")
        tech = (self.data_dir / self.tech_support_file).read_text(encoding="utf-8")
        return ("<main_policy>\n" + main + "\n</main_policy>\n<tech_support_policy>\n" + tech
                + "\n</tech_support_policy>")

    def db_source(self) -> DBSource:
        path = self.data_dir / "db.toml"
        return DBSource(TelecomDB, _load_toml(path), origin=str(path))

    def user_db_source(self) -> DBSource:
        path = self.data_dir / "user_db.toml"
        return DBSource(TelecomUserDB, _load_toml(path), origin=str(path))

    def _split_file(self) -> dict[str, list[str]]:
        path = self.data_dir / "split_tasks.json"
        if not path.is_file():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected an object of split name -> task ids")
        return data

    def load_tasks(self) -> list[Task]:
        tasks = load_tasks(self.data_dir / "tasks.json")
        keep = self._split_file().get(self.task_split)
        if keep is not None:
            wanted = set(keep)
            tasks = [t for t in tasks if t.id in wanted]
        return tasks

    def splits(self) -> dict[str, list[str]]:
        return {k: v for k, v in self._split_file().items() if k in ("train", "test")}

    def sync_tools(self, agent_tools: Any, user_tools: Any) -> None:
        sync_surroundings(agent_tools, user_tools)

    def dump_db(self, db: Any) -> dict[str, Any]:
        """The reference's `model_dump(mode="json")` of a DB (how the vectors store them)."""
        return db.schema.model_validate(db.dump()).model_dump(mode="json")

    def dump_db_json(self, db: Any) -> str:
        return json.dumps(self.dump_db(db), ensure_ascii=False)


@register_domain
class TelecomWorkflowDomain(TelecomDomain):
    """τ²-bench's "telecom-workflow": the same tasks under the step-by-step workflow policy."""

    name = "telecom-workflow"
    description = "τ²-bench telecom with the workflow version of the tech-support policy."
    tech_support_file = "tech_support_workflow.md"
