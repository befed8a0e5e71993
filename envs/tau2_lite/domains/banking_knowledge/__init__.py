"""τ²-bench's banking_knowledge domain (a bank's customer service desk with a knowledge base
of 698 documents), read from `--data-dir` (τ²-bench's data/tau2/domains/banking_knowledge).

The data folder holds db.json, tasks/task_*.json (the task source; the reference never reads
tasks.json), prompts/ and documents/. The agent's tools depend on the retrieval variant
(retrieval_tools.py; default `bm25`, which runs offline). The user acts on the same DB object
as the agent. Calls of read-only discoverable tools are logged in the DB only for the tools
the task's gold actions call (the reference's read-log allowlist), so each runtime is built
for its task.

Splits: the reference has none (every task is a test task). Here the tasks whose numeric id
n has n mod 5 in {1, 2, 3} form the "train" split (their gold-replay vectors are published),
the others the "test" split.
"""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from envs.tau2_lite.determinism import FixedClock, IdGenerator
from envs.tau2_lite.domain import Domain, register_domain
from envs.tau2_lite.domains.banking_knowledge.db import BankingDBSource
from envs.tau2_lite.domains.banking_knowledge.knowledge import DenseIndex, KnowledgeBase, OpenAICompatibleEmbedder
from envs.tau2_lite.domains.banking_knowledge.records import NOW
from envs.tau2_lite.domains.banking_knowledge.retrieval_tools import (
    DEFAULT_VARIANT, PER_TASK_POLICY, VARIANTS, KnowledgeToolsWithKBSearch, Retrieval, build_policy,
)
from envs.tau2_lite.domains.banking_knowledge.user_tools import KnowledgeUserTools
from envs.tau2_lite.tasks import Task
from envs.tau2_lite.toolkit import Toolkit


def read_log_allowlist(task: Task | None) -> set[str]:
    """Discoverable tools the task's gold actions call through `call_discoverable_agent_tool`."""
    if task is None:
        return set()
    return {str(a.arguments["agent_tool_name"]) for a in task.gold_actions
            if a.name == "call_discoverable_agent_tool" and "agent_tool_name" in a.arguments}


@register_domain
class BankingKnowledgeDomain(Domain):
    name = "banking_knowledge"
    description = ("τ²-bench banking_knowledge: a bank's support desk; policies and internal tools are found "
                   "in a knowledge base.")
    toolkit_class = KnowledgeToolsWithKBSearch
    user_toolkit_class = KnowledgeUserTools
    now = NOW
    needs_data_dir = True

    def __init__(self, data_dir: str | Path | None = None, **options: Any) -> None:
        super().__init__(data_dir, **options)
        if self.data_dir is None:
            raise ValueError("domain 'banking_knowledge' needs its τ²-bench data: pass --data-dir pointing at your "
                             "τ²-bench checkout's data/tau2/domains/banking_knowledge")
        missing = [f for f in ("db.json", "tasks", "prompts", "documents") if not (self.data_dir / f).exists()]
        if missing:
            raise ValueError(f"--data-dir {self.data_dir} lacks {', '.join(missing)}; it should be "
                             "τ²-bench's data/tau2/domains/banking_knowledge")
        name = options.get("retrieval_variant") or DEFAULT_VARIANT
        if name not in VARIANTS:
            raise ValueError(f"unknown retrieval variant {name!r}; choose one of {', '.join(VARIANTS)}")
        self.variant = VARIANTS[name]
        self.toolkit_class = self.variant.toolkit   # the agent's tool list depends on the variant

    @cached_property
    def knowledge_base(self) -> KnowledgeBase:
        return KnowledgeBase.load(self.data_dir / "documents")

    @cached_property
    def retrieval(self) -> Retrieval:
        dense = None
        if self.variant.dense:
            embedder = self.options.get("embedder") or OpenAICompatibleEmbedder(
                model=self.options.get("embedding_model") or "text-embedding-3-large",
                base_url=self.options.get("embedding_base_url"),
                api_key_env=self.options.get("embedding_api_key_env") or "OPENAI_API_KEY")
            dense = DenseIndex(self.knowledge_base, embedder)
        return Retrieval(self.knowledge_base, dense)

    def policy(self) -> str:
        if self.variant.per_task:
            return PER_TASK_POLICY
        return build_policy(self.variant, self.data_dir / "prompts", self.knowledge_base)

    def policy_for(self, task: Task) -> str:
        if not self.variant.per_task:
            return self.policy()
        required = (task.model_extra or {}).get("required_documents") or []
        return build_policy(self.variant, self.data_dir / "prompts", self.knowledge_base, list(required))

    def db_source(self) -> BankingDBSource:
        return BankingDBSource.load(self.data_dir / "db.json")

    def load_tasks(self) -> list[Task]:
        tasks = []
        for path in sorted((self.data_dir / "tasks").glob("task_*.json")):
            try:
                tasks.append(Task.model_validate(json.loads(path.read_text(encoding="utf-8"))))
            except (json.JSONDecodeError, ValueError) as exc:
                raise ValueError(f"{path}: not a τ²-bench task: {exc}") from None
        return tasks

    def splits(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {"train": [], "test": []}
        for tid in self.tasks:
            digits = "".join(c for c in tid if c.isdigit())
            out["train" if digits and int(digits) % 5 in (1, 2, 3) else "test"].append(tid)
        return out

    def new_toolkits(self, seed: int = 0, task: Task | None = None) -> tuple[Toolkit, Toolkit | None]:
        """Agent and user toolkits on one fresh DB object (the reference shares it)."""
        clock, ids = FixedClock(self.now), IdGenerator(seed)
        db = self.source.fresh()
        agent = self.toolkit_class(db, clock=clock, ids=ids)
        agent.retrieval = self.retrieval
        agent.read_log_allowlist = read_log_allowlist(task)
        return agent, KnowledgeUserTools(db, clock=clock, ids=ids)
