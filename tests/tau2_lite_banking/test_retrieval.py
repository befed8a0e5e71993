"""banking_knowledge's knowledge-base search: BM25 and grep reproduce the reference's published
outputs exactly; the dense option searches by embeddings from a real HTTP endpoint on loopback;
each retrieval variant offers the reference's tools and prompt."""
from __future__ import annotations

import json
import re
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from envs.errors import InfrastructureError
from envs.tau2_lite.domain import get_domain_class
from envs.tau2_lite.runtime import Runtime, ToolCall

TIMING = re.compile(r"\n\n\[Timing: retrieval=\d+ms(, reranking=\d+ms)?, total=\d+ms\]$")


def test_bm25_kb_search_matches_the_reference(banking, banking_dir: Path) -> None:
    published = json.loads((banking_dir / "retrieval_vectors.json").read_text(encoding="utf-8"))
    assert published["kb_load_order"] == "sorted by document id"
    runtime = Runtime(banking)
    for entry in published["kb_search_bm25"]:
        reply = runtime.respond(ToolCall("c", "KB_search", dict(entry["arguments"])))
        assert reply.error is entry["error"] is False
        assert TIMING.search(reply.content), reply.content[-80:]
        assert TIMING.sub("\n\n[Timing: <masked>]", reply.content) == entry["output_timing_masked"], entry["arguments"]
        ranked = banking.knowledge_base.bm25(entry["arguments"]["query"])
        assert [[i, s] for i, s in ranked] == entry["results"], entry["arguments"]


def test_grep_matches_the_reference(banking_dir: Path) -> None:
    published = json.loads((banking_dir / "retrieval_vectors.json").read_text(encoding="utf-8"))
    domain = get_domain_class("banking_knowledge")(banking_dir, retrieval_variant="grep_only")
    runtime = Runtime(domain)
    for entry in published["grep"]:
        reply = runtime.respond(ToolCall("g", "grep", dict(entry["arguments"])))
        assert (reply.error, reply.content) == (entry["error"], entry["output"]), entry["arguments"]


def test_variants_offer_the_reference_tools_and_prompts(banking_dir: Path) -> None:
    cls = get_domain_class("banking_knowledge")
    base = {"transfer_to_human_agents", "get_current_time", "get_user_information_by_id",
            "get_user_information_by_name", "get_user_information_by_email", "change_user_email",
            "get_referrals_by_user", "get_credit_card_transactions_by_user", "get_credit_card_accounts_by_user",
            "log_verification", "give_discoverable_user_tool", "unlock_discoverable_agent_tool",
            "call_discoverable_agent_tool", "list_discoverable_agent_tools"}
    expect = {"bm25": {"KB_search"}, "bm25_grep": {"KB_search", "grep"}, "grep_only": {"grep"},
              "no_knowledge": set(), "full_kb": set()}
    for name, extra in expect.items():
        dom = cls(banking_dir, retrieval_variant=name)
        assert {s["function"]["name"] for s in dom.toolkit_class.schemas()} == base | extra, name
        policy = dom.policy()
        assert "{{" not in policy, name
    assert "KB_search" in cls(banking_dir).policy() and "BM25" in cls(banking_dir).policy()
    full = cls(banking_dir, retrieval_variant="full_kb").policy()
    assert "## Internal: Human Agent Transfer Reason Codes" in full
    with pytest.raises(ValueError, match="alltools"):
        cls(banking_dir, retrieval_variant="alltools")


class _Embeddings(BaseHTTPRequestHandler):
    """An OpenAI-compatible /v1/embeddings endpoint: a hashed bag of words (64 dimensions)."""

    fail = False
    requests: list[int] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(len(body["input"]))
        if type(self).fail:
            self.send_response(500)
            self.end_headers()
            return
        data = [{"object": "embedding", "index": i, "embedding": embed(t).tolist()}
                for i, t in enumerate(body["input"])]
        out = json.dumps({"object": "list", "data": data, "model": body["model"],
                          "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args) -> None:
        pass


def embed(text: str) -> np.ndarray:
    vec = np.zeros(64)
    for word in text.lower().split():
        vec[zlib.crc32(word.encode()) % 64] += 1.0
    return vec


@pytest.fixture
def embeddings_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Embeddings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Embeddings.fail, _Embeddings.requests = False, []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_dense_kb_search_over_an_embeddings_endpoint(banking_dir: Path, embeddings_url: str) -> None:
    dom = get_domain_class("banking_knowledge")(banking_dir, retrieval_variant="openai_embeddings_grep",
                                                embedding_base_url=embeddings_url, embedding_model="toy")
    assert {"KB_search", "grep"} <= {s["function"]["name"] for s in dom.toolkit_class.schemas()}
    assert "text-embedding-3-large" in dom.policy()
    query = "dispute a debit card transaction"
    reply = Runtime(dom).respond(ToolCall("d", "KB_search", {"query": query}))
    assert not reply.error and TIMING.search(reply.content)
    docs = list(dom.knowledge_base.documents.values())
    matrix = np.array([embed(d.content) for d in docs])
    q = embed(query)
    scores = (matrix / np.where(np.linalg.norm(matrix, axis=1, keepdims=True) == 0, 1,
                                np.linalg.norm(matrix, axis=1, keepdims=True))) @ (q / np.linalg.norm(q))
    best = np.argsort(scores)[::-1][:10]
    shown = re.findall(r"^   ID: (.+)$", reply.content, re.M)
    assert shown == [docs[i].id for i in best]
    assert f"   Score: {scores[best[0]]:.4f}" in reply.content
    assert sum(_Embeddings.requests) == len(docs) + 1          # documents embedded once, then the query
    Runtime(dom).respond(ToolCall("e", "KB_search", {"query": "fees"}))
    assert sum(_Embeddings.requests) == len(docs) + 2


def test_a_failing_embeddings_endpoint_is_an_infrastructure_error(banking_dir: Path, embeddings_url: str) -> None:
    dom = get_domain_class("banking_knowledge")(banking_dir, retrieval_variant="openai_embeddings",
                                                embedding_base_url=embeddings_url, embedding_model="toy")
    _Embeddings.fail = True
    with pytest.raises(InfrastructureError, match="embedding endpoint failed"):
        Runtime(dom).respond(ToolCall("d", "KB_search", {"query": "fees"}))


def test_the_family_passes_the_retrieval_variant_to_the_domain(banking_dir: Path) -> None:
    from envs.tau2_lite import FAMILY
    env = FAMILY.make("task_001", domain="banking_knowledge", data_dir=str(banking_dir),
                      retrieval_variant="grep_only", user="scripted")
    names = {t["function"]["name"] for t in env.agent_spec().tools}
    assert "grep" in names and "KB_search" not in names
    assert "KB_search" in {t["function"]["name"] for t in FAMILY.make(
        "task_001", domain="banking_knowledge", data_dir=str(banking_dir), user="scripted").agent_spec().tools}
    assert FAMILY.preflight(domain="banking_knowledge", data_dir=str(banking_dir), user="scripted",
                            retrieval_variant="alltools") == [
        "unknown retrieval variant 'alltools'; choose one of no_knowledge, full_kb, golden_retrieval, bm25, "
        "bm25_grep, grep_only, openai_embeddings, openai_embeddings_grep"]


def test_a_runaway_grep_pattern_is_refused_not_hung(banking) -> None:
    # Catastrophic backtracking: Python's `re` (and the reference) would run for hours.
    with pytest.raises(ValueError, match="took more than 0.2 s"):
        banking.knowledge_base.grep(r"(\w+\s?)+$", time_limit_s=0.2)
    assert banking.knowledge_base.grep("[unclosed") == []        # invalid regex: matched literally


def test_golden_retrieval_puts_the_tasks_required_documents_in_its_prompt(banking_dir: Path, banking) -> None:
    dom = get_domain_class("banking_knowledge")(banking_dir, retrieval_variant="golden_retrieval")
    assert dom.policy() == "(Policy is task-specific - see 'policy' field in each simulation)"
    task = dom.task("task_001")
    policy = dom.policy_for(task)
    titles = [banking.knowledge_base.documents[d].title for d in task.model_extra["required_documents"]]
    positions = [policy.index(f"## {t}\n\n") for t in titles]
    assert positions == sorted(positions) and "{{" not in policy
    assert "KB_search" not in {s["function"]["name"] for s in dom.toolkit_class.schemas()}
    from envs.tau2_lite.env import Tau2Env
    assert titles[0] in Tau2Env(dom, "task_001", user="scripted").agent_spec().system_prompt
