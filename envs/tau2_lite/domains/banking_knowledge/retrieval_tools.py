"""Retrieval configurations ("variants") of banking_knowledge: which knowledge-base tools the
agent gets and which policy prompt it reads. Names, prompts and tools are the reference's.

Offline: `no_knowledge`, `full_kb`, `golden_retrieval` (the task's required documents in the
prompt), `bm25` (the default here: `KB_search`, BM25), `bm25_grep`, `grep_only`. With an
embeddings endpoint: `openai_embeddings` and `openai_embeddings_grep` (`KB_search` by cosine
similarity of embeddings).

The reference's own default, `alltools` (BM25 + dense search + a sandboxed shell), needs an
OpenAI key and a sandbox runtime; it is not offered.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from envs.tau2_lite.domains.banking_knowledge.knowledge import DenseIndex, KnowledgeBase, timed_search
from envs.tau2_lite.domains.banking_knowledge.tools import KnowledgeTools
from envs.tau2_lite.toolkit import ToolType, tool

DEFAULT_VARIANT = "bm25"


@dataclass
class Retrieval:
    """What the retrieval tools of one toolkit search with."""

    kb: KnowledgeBase
    dense: DenseIndex | None = None

    def kb_search(self, query: str) -> str:
        search: Callable = self.dense.search if self.dense is not None else self.kb.bm25
        return timed_search(self.kb, search, query)

    def grep(self, pattern: str) -> str:
        results = self.kb.grep(pattern)
        return self.kb.hit_text(results) if results else f"No matches found for pattern: {pattern}"


class _WithRetrieval(KnowledgeTools):
    retrieval: Retrieval


class _KBSearch(_WithRetrieval):
    @tool(ToolType.READ)
    def KB_search(self, query: str) -> str:  # noqa: N802 - the reference's tool name
        """Search the knowledge base for relevant documents.

        Args:
            query: The search query to find relevant documents

        Returns:
            Relevant document excerpts matching the query
        """
        return self.retrieval.kb_search(query)


class _Grep(_WithRetrieval):
    @tool(ToolType.READ)
    def grep(self, pattern: str) -> str:
        """Search for a regex pattern in all knowledge base documents.

        Returns documents ranked by number of matches, with full content.

        Args:
            pattern: The regex pattern to search for (e.g., 'credit.*card', 'fee|charge')

        Returns:
            Matching documents ranked by relevance (match count)
        """
        return self.retrieval.grep(pattern)


# A call with missing arguments fails with Python's TypeError text, which names the class that
# defines the method: the reference's mixins.
_KBSearch.KB_search.__qualname__ = "KBSearchMixin.KB_search"
_Grep.grep.__qualname__ = "GrepMixin.grep"


class KnowledgeToolsPlain(_WithRetrieval):
    """No retrieval tool (no_knowledge, full_kb)."""


class KnowledgeToolsWithKBSearch(_KBSearch):
    pass


class KnowledgeToolsWithGrep(_Grep):
    pass


class KnowledgeToolsWithKBSearchAndGrep(_KBSearch, _Grep):
    pass


@dataclass(frozen=True)
class Variant:
    name: str
    prompt: str                       # file under prompts/
    toolkit: type[KnowledgeTools]
    dense: bool = False               # KB_search by embeddings instead of BM25
    inline_kb: bool = False           # the whole knowledge base goes into the prompt
    per_task: bool = False            # the task's required documents go into the prompt


VARIANTS: dict[str, Variant] = {v.name: v for v in (
    Variant("no_knowledge", "no_knowledge.md", KnowledgeToolsPlain),
    Variant("full_kb", "full_kb.md", KnowledgeToolsPlain, inline_kb=True),
    Variant("golden_retrieval", "required_docs.md", KnowledgeToolsPlain, per_task=True),
    Variant("bm25", "classic_rag_bm25_no_grep.md", KnowledgeToolsWithKBSearch),
    Variant("bm25_grep", "classic_rag_bm25.md", KnowledgeToolsWithKBSearchAndGrep),
    Variant("grep_only", "grep_only.md", KnowledgeToolsWithGrep),
    Variant("openai_embeddings", "classic_rag_openai_no_grep.md", KnowledgeToolsWithKBSearch, dense=True),
    Variant("openai_embeddings_grep", "classic_rag_openai.md", KnowledgeToolsWithKBSearchAndGrep, dense=True),
)}


# What the reference reports as the run's policy when each task has its own.
PER_TASK_POLICY = "(Policy is task-specific - see 'policy' field in each simulation)"


def build_policy(variant: Variant, prompts: Path, kb: KnowledgeBase, required: list[str] | None = None) -> str:
    """The variant's prompt template with `{{component:NAME}}`, `{{full_knowledge_base}}` and
    (golden_retrieval) `{{required_documents}}` filled in, as the reference does. `required`
    names documents by title or id; unknown names are left out."""
    path = prompts / variant.prompt
    if not path.is_file():
        raise ValueError(f"prompt template not found: {path}")

    def component(match: re.Match) -> str:
        part = prompts / "components" / f"{match.group(1)}.md"
        if not part.is_file():
            raise ValueError(f"prompt component not found: {part}")
        return part.read_text(encoding="utf-8")

    text = re.sub(r"\{\{component:(\w+)\}\}", component, path.read_text(encoding="utf-8"))
    if variant.inline_kb and "{{full_knowledge_base}}" in text:
        full = "\n\n---\n\n".join(f"## {d.title}\n\n{d.content}" for d in kb.documents.values())
        text = text.replace("{{full_knowledge_base}}", full)
    if variant.per_task:
        by_title = {d.title: d for d in kb.documents.values()}
        docs = [by_title.get(ref) or kb.documents.get(ref) for ref in required or []]
        shown = "\n\n---\n\n".join(f"## {d.title}\n\n{d.content}" for d in docs if d is not None)
        text = text.replace("{{required_documents}}", shown or "(No documents provided)")
    if not text.strip():
        raise ValueError(f"the prompt of retrieval variant {variant.name!r} is empty")
    return text
