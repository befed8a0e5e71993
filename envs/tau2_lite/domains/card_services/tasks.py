"""The card-services task generator: unlimited seeded tasks in τ²-bench's task schema.

A task = one customer (the simulated user) + authentication + one or more intents (intents.py):
a single request, two requests, a request plus a decoy the agent must turn down, or a caller
acting for a relative (the agent must not act at all). The gold actions are what a
policy-following agent calls; every generated task is replayed on a fresh DB and kept only if
all its gold calls succeed.

Splits are disjoint by construction: test tasks only use the customers of the held-out pool
(`in_test_pool`), train tasks only the others, and a train task never has the reason for calling
of a frozen test task (intents word requests differently per split, and the generator drops any
train candidate that still matches). The TEST set is frozen in test_tasks.json
(`build_test_set()` reproduces it; tests check that it still does, and the DB hash it pins).
"""
from __future__ import annotations

import hashlib
import json
import random
from functools import lru_cache
from typing import Any

from envs.tau2_lite.db import DBSource
from envs.tau2_lite.domains.card_services import intents as ci
from envs.tau2_lite.domains.card_services import intents_money as cm
from envs.tau2_lite.domains.card_services.datagen import DB_SEED, canonical_db
from envs.tau2_lite.domains.card_services.db import CardServicesDB, Customer
from envs.tau2_lite.domains.card_services.intents import Ctx, Intent, call
from envs.tau2_lite.replay import replay_gold
from envs.tau2_lite.tasks import Task

DOMAIN = "card_services"
GENERATOR_VERSION = 1
TEST_SET_VERSION = 1
TEST_POOL_MODULUS = 4

INTENTS = {f.__name__: f for f in (
    ci.freeze_misplaced, ci.unfreeze_own, ci.unfreeze_bank, ci.activate_new, ci.pin_unlock, ci.pin_not_me,
    ci.lost_card, ci.stolen_with_fraud, ci.damaged_card, cm.dispute_not_received, cm.dispute_incorrect_amount,
    cm.dispute_duplicate, cm.dispute_too_old, cm.dispute_pending, cm.dispute_cash, cm.dispute_large,
    cm.limit_increase, cm.limit_increase_denied, cm.limit_decrease,
    cm.waive_fee, cm.waive_fee_denied, cm.travel_notice, ci.update_contact, ci.move_and_replace,
    ci.name_change, ci.balance_inquiry)}
DECOYS = {f.__name__: f for f in (ci.decoy_full_number, ci.decoy_other_person, ci.decoy_domestic_trip)}
SHAPES = {"single": 50, "double": 30, "decoy": 14, "third_party": 6}
PERSONAS = (
    "You are polite and patient, and answer exactly what you are asked.",
    "You are in a hurry and write short messages.",
    "You are anxious about your money and want reassurance at every step.",
    "You are detail-oriented and check every number the agent gives you.",
    "You are friendly and chatty, but you stay on topic.",
    "You are a bit frustrated because this is your second call about it, but you stay civil.",
)
GENERAL_BEHAVIOUR = (
    "Give your details only when the agent asks for them. Do not invent details you were not given; "
    "if asked for something you do not know, say so. Confirm an action only if it matches what you "
    "asked for. Tell the agent one request at a time, the next one once the previous is settled. "
    "When everything is settled, end the conversation."
)


def in_test_pool(customer_id: str) -> bool:
    """Held-out customers (a quarter of them, by a hash of the id)."""
    return int(hashlib.sha256(customer_id.encode()).hexdigest(), 16) % TEST_POOL_MODULUS == 0


def pool(db: CardServicesDB, split: str) -> list[str]:
    return [c for c in db.customers if in_test_pool(c) == (split == "test")]


def _auth(ctx: Ctx, cust: Customer) -> tuple[list[dict[str, Any]], str]:
    by_email = ctx.rng.random() < 0.6
    find = call("find_customer_by_email", [], email=cust.email) if by_email else \
        call("find_customer_by_phone", [], phone=cust.phone)
    contact = f"your email address is {cust.email}" if by_email else f"your phone number is {cust.phone}"
    known = (f"You are {cust.first_name} {cust.last_name}; {contact}. Your date of birth is {cust.date_of_birth} "
             f"and your zip code is {cust.address.zip}.")
    verify = call("verify_customer_identity", ["customer_id"], customer_id=cust.customer_id,
                  date_of_birth=cust.date_of_birth, zip_code=cust.address.zip)
    return [find, verify], known


def _pick_intents(ctx: Ctx, cust: Customer, shape: str, kinds: list[str]) -> list[Intent] | None:
    chosen: list[Intent] = []
    used: set[str] = set()
    for kind in kinds:
        builder = INTENTS.get(kind) or DECOYS[kind]
        intent = builder(ctx, cust)
        if intent is None or intent.touches & used:
            return None
        used |= intent.touches
        chosen.append(intent)
    # A transfer ends the conversation, so it goes last.
    chosen.sort(key=lambda i: i.transfer)
    return chosen if sum(i.transfer for i in chosen) <= 1 else None


def _kinds_for(rng: random.Random, shape: str) -> list[str]:
    names = sorted(INTENTS)
    if shape == "double":
        return rng.sample(names, 2)
    if shape == "decoy":
        return [rng.choice(names), rng.choice(sorted(DECOYS))]
    return [rng.choice(names)]


def build_task(task_id: str, ctx: Ctx, cust: Customer, shape: str, kinds: list[str]) -> dict[str, Any] | None:
    """One task as a τ²-bench task dict, or None if this customer cannot have it."""
    rng = ctx.rng
    if shape == "third_party":
        return _third_party(task_id, ctx, cust, kinds)
    intents = _pick_intents(ctx, cust, shape, kinds)
    if intents is None:
        return None
    auth, known = _auth(ctx, cust)
    actions = auth + [a for i in intents for a in i.actions]
    reasons = [i.reason for i in intents]
    reason = reasons[0] if len(reasons) == 1 else "You have several requests. " + " ".join(
        f"({n}) {r}" for n, r in enumerate(reasons, 1))
    behaviour = [b for i in intents for b in i.behaviour] + [GENERAL_BEHAVIOUR]
    basis = ["DB", "COMMUNICATE"] + (["ACTION"] if any(i.strict for i in intents) else []) \
        + (["NL_ASSERTION"] if any(i.nl for i in intents) else [])
    return _task_dict(task_id, rng, shape, intents, reason, " ".join([known] + [k for i in intents for k in i.known]),
                      " ".join(behaviour), actions, [c for i in intents for c in i.communicate],
                      [n for i in intents for n in i.nl], basis)


def _third_party(task_id: str, ctx: Ctx, cust: Customer, kinds: list[str]) -> dict[str, Any] | None:
    """The caller is a relative of the customer: the agent must not act on the account."""
    intent = INTENTS[kinds[0]](ctx, cust)
    if intent is None or intent.strict:
        return None
    relation = ctx.rng.choice(("spouse", "son", "daughter", "sibling"))
    reason = (f"You are calling on behalf of your {relation} {cust.first_name} {cust.last_name}, who is busy. "
              + intent.reason.replace("You ", "They ").replace("your ", "their ").replace("you ", "they "))
    known = (f"Your {relation}'s email address is {cust.email}, their date of birth is {cust.date_of_birth} and "
             f"their zip code is {cust.address.zip}. Your own name is Alex {cust.last_name}.")
    behaviour = (f"Say clearly that you are calling for your {relation}. If the agent says only the account holder "
                 "can make the request, accept it and end the conversation. " + GENERAL_BEHAVIOUR)
    task = _task_dict(task_id, ctx.rng, "third_party", [intent], reason, known, behaviour, [], [], [], ["DB"])
    task["user_scenario"]["instructions"]["unknown_info"] = (
        f"You do not know your {relation}'s customer id, account ids or card ids.")
    return task


def _task_dict(task_id: str, rng: random.Random, shape: str, intents: list[Intent], reason: str, known: str,
               behaviour: str, actions: list[dict[str, Any]], communicate: list[str], nl: list[str],
               basis: list[str]) -> dict[str, Any]:
    kinds = "+".join(i.kind for i in intents)
    return {
        "id": task_id,
        "description": {"purpose": f"{shape}: {kinds}",
                        "relevant_policies": "; ".join(dict.fromkeys(i.policy for i in intents if i.policy)),
                        "notes": f"generated by card_services tasks.py v{GENERATOR_VERSION}"},
        "user_scenario": {
            "persona": rng.choice(PERSONAS),
            "instructions": {
                "domain": DOMAIN, "reason_for_call": reason, "known_info": known,
                "unknown_info": "You do not know your customer id, account ids, card ids or transaction ids.",
                "task_instructions": behaviour,
            },
        },
        "initial_state": None,
        "evaluation_criteria": {
            "actions": [{"action_id": f"{task_id}_{n}", "requestor": "assistant", "info": None, **a}
                        for n, a in enumerate(actions)],
            "communicate_info": communicate,
            "nl_assertions": nl or None,
            "reward_basis": basis,
        },
    }


def generate_task(task_id: str, db: CardServicesDB, split: str, seed: int | str, *, shape: str | None = None,
                  kinds: list[str] | None = None, validate=None, attempts: int = 20) -> dict[str, Any]:
    """A task for `split` from `seed`; shape and intent kinds drawn unless given.

    `validate(task_dict) -> bool` (normally a gold replay) rejects candidates; the next candidate
    comes from the same seeded stream, so the result depends only on the arguments.
    """
    rng = random.Random(f"{DOMAIN}:{split}:{seed}")
    customers = pool(db, split)
    members = frozenset(customers)
    side = "test" if split == "test" else "train"
    taken: frozenset[str] = frozenset() if side == "test" else frozen_test_reasons()
    for _ in range(attempts):
        the_shape = shape or rng.choices(list(SHAPES), list(SHAPES.values()))[0]
        # "*" in `kinds` stands for an intent drawn here.
        the_kinds = [rng.choice(sorted(INTENTS)) if k == "*" else k for k in kinds] if kinds else _kinds_for(rng, the_shape)
        # The first customer (in a seeded order) who can have these intents gets the task.
        for cid in rng.sample(customers, len(customers)):
            ctx = Ctx(db, random.Random(rng.random()), members, side)
            task = build_task(task_id, ctx, db.customers[cid], the_shape, the_kinds)
            if task is None or task["user_scenario"]["instructions"]["reason_for_call"] in taken:
                continue
            if validate is None or validate(task):
                Task.model_validate(task)
                return task
    raise ValueError(f"no {split} task could be generated for shape={shape} kinds={kinds} in {attempts} attempts "
                     f"(seed {seed})")


@lru_cache(maxsize=1)
def frozen_test_reasons() -> frozenset[str]:
    """The reasons for calling of the frozen test tasks (test_tasks.json): no train task uses one."""
    from envs.tau2_lite.domains.card_services.domain import load_test_set  # domain.py imports this module

    return frozenset(t["user_scenario"]["instructions"]["reason_for_call"] for t in load_test_set())


def schedule_of_test_set() -> list[tuple[str, list[str]]]:
    """The test set's make-up: every intent alone, pairs, decoys, calls for a relative."""
    names = sorted(INTENTS)
    plan = [("single", [n]) for n in names]
    plan += [("double", ["*", "*"]) for _ in range(10)]
    plan += [("decoy", ["*", d]) for d in sorted(DECOYS) for _ in range(2)]
    plan += [("third_party", [k]) for k in ("freeze_misplaced", "limit_decrease", "update_contact")]
    return plan


def gold_is_valid(task: dict[str, Any]) -> bool:
    """Every gold call succeeds on a fresh DB, and tasks with writes do change it."""
    from envs.tau2_lite.domain import get_domain   # the domain module imports this one

    domain = get_domain("card_services")
    replay = replay_gold(domain, Task.model_validate(task))
    if replay.failed:
        return False
    writes = any(domain.toolkit_class.mutates_state(a["name"]) for a in task["evaluation_criteria"]["actions"])
    return not writes or bool(replay.runtime.db.changes())


def build_test_set() -> dict[str, Any]:
    db = canonical_db()
    tasks = [generate_task(f"cs_test_{n:03d}", db, "test", n, shape=shape, kinds=kinds, validate=gold_is_valid)
             for n, (shape, kinds) in enumerate(schedule_of_test_set())]
    return {"domain": "card_services", "version": TEST_SET_VERSION, "generator_version": GENERATOR_VERSION,
            "db_seed": DB_SEED, "db_hash": DBSource.from_model(db).fresh().hash(), "tasks": tasks}


@lru_cache(maxsize=8)
def _train(n: int, seed: int) -> str:
    db = canonical_db()
    rng = random.Random(f"card_services:train:{seed}")
    tasks = [generate_task(f"cs_train_{seed}_{i:05d}", db, "train", rng.getrandbits(48), validate=gold_is_valid)
             for i in range(n)]
    return json.dumps(tasks)


def generate_train_tasks(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """`n` train tasks (τ²-bench task dicts) from `seed`; the first k of n are the k of k."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return json.loads(_train(n, seed))
