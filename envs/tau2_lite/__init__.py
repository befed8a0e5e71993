"""tau2-lite: τ²-bench-style tool-calling domains with a simulated user.

Registers the environment family "tau2-lite" (envs.registry) and one gymnasium id per built-in
domain (`tau2-lite/retail`, `tau2-lite/mock`, `tau2-lite/card_services`).

Options (the runner's `env_options`): `domain`, `data_dir` (τ²-bench data directory for
retail/mock/airline/telecom/banking_knowledge), `retrieval_variant` (banking_knowledge), `user` ("llm" | "scripted"), `user_model` and `judge_model` (`ChatModel`s),
`max_steps`, `max_errors`, `split` (list_tasks only).
"""
from __future__ import annotations

from typing import Any

import gymnasium as gym

from envs.errors import UnknownIdError
from envs.registry import register_family
from envs.tau2_lite.domain import (
    BUILTIN_DOMAINS, DataDirDomain, Domain, get_domain, get_domain_class, list_domains, register_domain,
)
from envs.tau2_lite.env import Tau2Env, task_info
from envs.tau2_lite.messages import MessageAction, ToolCallAction
from envs.types import TaskInfo

__all__ = ["Tau2Env", "Tau2Family", "Domain", "DataDirDomain", "register_domain", "get_domain",
           "list_domains", "make_env", "ToolCallAction", "MessageAction"]


# Options that configure a domain itself (the rest go to the episode).
DOMAIN_OPTIONS = ("retrieval_variant",)


def _domain_options(options: dict[str, Any]) -> dict[str, Any]:
    return {k: options[k] for k in DOMAIN_OPTIONS if options.get(k) is not None}


def _domains_for(domain: str | None, data_dir: str | None, **domain_options: Any) -> list[Domain]:
    """The domain asked for, or every domain that needs no data directory."""
    if domain:
        return [get_domain(domain, data_dir, **domain_options)]
    out = []
    for name in list_domains():
        if not get_domain_class(name).needs_data_dir:
            out.append(get_domain(name))
    return out


class Tau2Family:
    name = "tau2-lite"
    description = ("τ²-bench-style customer-service domains: an agent follows a policy, calls tools on a DB "
                   "and talks with a simulated user (retail/mock from τ²-bench data, original domains built in).")

    def list_tasks(self, domain: str | None = None, data_dir: str | None = None, split: str | None = None,
                   **_options: Any) -> list[TaskInfo]:
        infos = []
        for dom in _domains_for(domain, data_dir, **_domain_options(_options)):
            for task in dom.tasks.values():
                info = task_info(dom, task)
                if split in (None, "", "all", "base") or info.split == split:
                    infos.append(info)
        return infos

    def make(self, task_id: str, domain: str | None = None, data_dir: str | None = None,
             **options: Any) -> Tau2Env:
        domains = _domains_for(domain, data_dir, **_domain_options(options))
        hits = [d for d in domains if task_id in d.tasks]
        if not hits:
            known = [t for d in domains for t in d.tasks]
            raise UnknownIdError(f"tau2-lite task (domains: {', '.join(d.name for d in domains)})", task_id, known)
        if len(hits) > 1:
            raise ValueError(f"task id {task_id!r} exists in domains {', '.join(d.name for d in hits)}; pass --domain")
        return Tau2Env(hits[0], task_id, **options)

    def preflight(self, domain: str | None = None, data_dir: str | None = None, user: str = "llm",
                  user_model: Any = None, **_options: Any) -> list[str]:
        problems = []
        try:
            domains = _domains_for(domain, data_dir, **_domain_options(_options))
            for dom in domains:
                dom.source  # noqa: B018 - parse the DB now, so bad data fails before any episode
                dom.tasks   # noqa: B018
        except (ValueError, FileNotFoundError, UnknownIdError) as exc:
            problems.append(str(exc))
        if user not in ("llm", "scripted"):
            problems.append(f"--user must be 'llm' or 'scripted', got {user!r}")
        elif user == "llm" and user_model is None:
            problems.append("the LLM user simulator needs a user model (--user-model), or use --user scripted")
        return problems


FAMILY = register_family(Tau2Family())


def make_env(domain: str, task_id: str | None = None, data_dir: str | None = None, **options: Any) -> Tau2Env:
    """gymnasium entry point of `tau2-lite/<domain>`."""
    options.setdefault("user", "scripted")
    return Tau2Env(get_domain(domain, data_dir, **_domain_options(options)), task_id, **options)


for _name in BUILTIN_DOMAINS:
    _gym_id = f"tau2-lite/{_name}"
    if _gym_id not in gym.registry:
        gym.register(id=_gym_id, entry_point="envs.tau2_lite:make_env", kwargs={"domain": _name})
