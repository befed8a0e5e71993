"""banking_knowledge's knowledge base and its search backends.

Documents are `documents/*.json` files `{id, title, content}`, held in sorted id order. The
reference loads them in directory-listing order, which depends on the filesystem and breaks
score ties; sorted order is the one its published retrieval vectors use, so results here are
the same on every machine.

Backends, as the reference builds them:
* BM25 (`rank_bm25.BM25Okapi`, k1 1.5, b 0.75, epsilon 0.25) over the content only, tokens
  from `lower().split()`; always the top 10 (even at score 0); an empty query finds nothing.
* grep: the pattern applied case-insensitively with Python `re`'s syntax (an invalid regex is
  matched literally); score = number of matches; top 10 by score. Matching has a time limit
  (see `KnowledgeBase.grep`), which the reference lacks.
* dense: cosine similarity between embeddings from an OpenAI-compatible `/embeddings`
  endpoint (the reference uses OpenAI's text-embedding-3-large); top 10.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import regex

from envs.errors import InfrastructureError

GREP_TIME_LIMIT_S = 5.0   # per grep call, over all documents


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    content: str


class KnowledgeBase:
    def __init__(self, documents: list[Document]) -> None:
        self.documents = {d.id: d for d in sorted(documents, key=lambda d: d.id)}
        self._bm25 = None
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: str | Path) -> KnowledgeBase:
        folder = Path(folder)
        if not folder.is_dir():
            raise ValueError(f"knowledge base folder not found: {folder}")
        docs = []
        for path in folder.glob("*.json"):
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                docs.append(Document(str(raw["id"]), str(raw["title"]), str(raw["content"])))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}: not a knowledge-base document {{id, title, content}}: {exc}") from None
        return cls(docs)

    def hit_text(self, results: list[tuple[str, float]]) -> str:
        """The reference's rendering of ranked hits."""
        out = []
        for i, (doc_id, score) in enumerate(results, 1):
            doc = self.documents.get(doc_id)
            out.append(f"{i}. {(doc.title if doc else '') or 'Untitled'}\n   ID: {doc_id}\n   Score: {score:.4f}\n"
                       f"   Content: {doc.content if doc else ''}\n")
        return "\n".join(out)

    # -- BM25 ---------------------------------------------------------------------------
    def bm25(self, query: str, top_k: int = 10) -> list[tuple[str, float]]:
        if not query or not query.strip():
            return []
        with self._lock:
            if self._bm25 is None:
                from rank_bm25 import BM25Okapi
                self._bm25 = BM25Okapi([d.content.lower().split() for d in self.documents.values()])
        ids = list(self.documents)
        scores = self._bm25.get_scores(query.lower().split())
        order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)[:min(top_k, len(ids))]
        return [(ids[i], float(scores[i])) for i in order]

    # -- grep ---------------------------------------------------------------------------
    def grep(self, pattern: str, top_k: int = 10, case_sensitive: bool = False,
             time_limit_s: float = GREP_TIME_LIMIT_S) -> list[tuple[str, float]]:
        """Documents by number of matches. The pattern comes from the model: Python's `re` has
        no time limit, and a pattern like `(\\w+\\s?)+$` would hang it (and the reference) for
        hours, so matches are counted by the `regex` module in its `re`-compatible mode with
        a time limit; a pattern that exceeds it is refused with an error."""
        if not pattern.strip():
            return []
        flags = 0 if case_sensitive else regex.IGNORECASE
        try:
            re.compile(pattern, flags)   # what the reference accepts as a regex
            source = pattern
        except re.error:
            source = re.escape(pattern)  # an invalid regex is matched literally
        compiled = regex.compile(source, flags | regex.VERSION0)
        deadline = time.monotonic() + time_limit_s
        hits = []
        for doc_id, doc in self.documents.items():
            try:
                found = compiled.findall(doc.content, timeout=max(deadline - time.monotonic(), 1e-6))
            except TimeoutError:
                raise ValueError(f"the pattern took more than {time_limit_s:g} s to match; use a simpler "
                                 "regular expression") from None
            if found:
                hits.append((doc_id, float(len(found))))
        hits.sort(key=lambda h: h[1], reverse=True)
        return hits[:top_k]


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


class OpenAICompatibleEmbedder:
    """Embeddings from an OpenAI-compatible endpoint (OpenAI itself, vLLM, a local server)."""

    def __init__(self, model: str = "text-embedding-3-large", base_url: str | None = None,
                 api_key_env: str = "OPENAI_API_KEY", batch_size: int = 128, timeout_s: float = 60.0) -> None:
        key = os.environ.get(api_key_env) or ("unused" if base_url else None)
        if not key:
            raise ValueError(f"dense retrieval needs an API key in ${api_key_env} (or an embedding base URL)")
        from openai import OpenAI
        self.client = OpenAI(api_key=key, base_url=base_url, timeout=timeout_s, max_retries=2)
        self.model, self.batch_size = model, batch_size
        self.name = f"{base_url or 'openai'}:{model}"

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            raise ValueError("No text to embed.")
        out: list[list[float]] = []
        try:
            for start in range(0, len(texts), self.batch_size):
                reply = self.client.embeddings.create(input=texts[start:start + self.batch_size], model=self.model)
                out.extend(item.embedding for item in reply.data)
        except Exception as exc:  # noqa: BLE001 - an endpoint failure is not the agent's doing
            raise InfrastructureError(f"embedding endpoint failed: {type(exc).__name__}: {exc}") from exc
        return np.array(out, dtype=float)


class DenseIndex:
    """Document embeddings, computed once per (knowledge base, embedder)."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder) -> None:
        self.kb, self.embedder = kb, embedder
        self._docs: np.ndarray | None = None
        self._lock = threading.Lock()

    def search(self, query: str, top_k: int = 10) -> list[tuple[str, float]]:
        if not query or not query.strip():
            return []
        with self._lock:
            if self._docs is None:
                self._docs = self.embedder.embed([d.content for d in self.kb.documents.values()])
        q = self.embedder.embed([query])[0]
        norm = np.linalg.norm(q)
        if norm == 0:
            scores = np.zeros(len(self._docs))
        else:
            doc_norms = np.linalg.norm(self._docs, axis=1, keepdims=True)
            scores = (self._docs / np.where(doc_norms == 0, 1, doc_norms)) @ (q / norm)
        ids = list(self.kb.documents)
        order = np.argsort(scores)[::-1][:min(top_k, len(ids))]
        return [(ids[i], float(scores[i])) for i in order]


def timed_search(kb: KnowledgeBase, search, query: str) -> str:
    """Run a KB_search backend and render it with the reference's timing suffix (wall-clock
    times, so this line differs from run to run, as in the reference)."""
    start = time.perf_counter()
    results = search(query)
    retrieval_ms = (time.perf_counter() - start) * 1000
    post_start = time.perf_counter_ns()
    post_ms = (time.perf_counter_ns() - post_start) / 1e6   # the (empty) reranking step
    text = kb.hit_text(results) if results else "No relevant documents found."
    text += f"\n\n[Timing: retrieval={retrieval_ms:.0f}ms"
    if post_ms > 0:
        text += f", reranking={post_ms:.0f}ms"
    return text + f", total={retrieval_ms + post_ms:.0f}ms]"
