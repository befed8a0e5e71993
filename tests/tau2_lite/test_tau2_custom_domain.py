"""A domain written against the framework API: generated DB, ids and dates from the
deterministic clock and id generator, tasks built in code."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import gymnasium as gym
import pytest
from pydantic import BaseModel

from envs.tau2_lite import Tau2Env
from envs.tau2_lite.db import DB, DBSource
from envs.tau2_lite.domain import Domain, get_domain, list_domains, register_domain, unregister_domain
from envs.tau2_lite.tasks import Task
from envs.tau2_lite.toolkit import Toolkit, ToolType, tool
from envs.types import Termination


class Ticket(BaseModel):
    ticket_id: str
    subject: str
    opened_on: str


class DeskDB(DB):
    tickets: dict[str, Ticket]


class DeskTools(Toolkit):
    @tool(ToolType.WRITE)
    def open_ticket(self, subject: str) -> Ticket:
        """Open a support ticket.

        Args:
            subject: What the ticket is about.
        """
        ticket = Ticket(ticket_id=self.ids.next("T-", digits=5), subject=subject, opened_on=self.clock.today())
        self.db.tickets[ticket.ticket_id] = ticket
        return ticket


class HelpDesk(Domain):
    name = "test_help_desk"
    description = "A help desk used by the tests."
    db_class = DeskDB
    toolkit_class = DeskTools
    now = datetime(2025, 1, 2, 9, 30)

    def policy(self) -> str:
        return "Open a ticket for every problem the user reports."

    def db_source(self) -> DBSource:
        return DBSource(DeskDB, {"tickets": {}})

    def load_tasks(self) -> list[Task]:
        return [Task.model_validate({
            "id": f"desk_{i}", "user_scenario": {"instructions": f"Report problem {i}."},
            "evaluation_criteria": {"actions": [{"action_id": "a", "name": "open_ticket",
                                                 "arguments": {"subject": f"problem {i}"}}],
                                    "communicate_info": [], "reward_basis": ["DB"]}}) for i in range(3)]

    def splits(self) -> dict[str, list[str]]:
        return {"train": ["desk_0", "desk_1"], "test": ["desk_2"]}


@pytest.fixture(autouse=True)
def help_desk() -> Iterator[None]:
    register_domain(HelpDesk)   # registered only while these tests run
    yield
    unregister_domain(HelpDesk.name)
    assert HelpDesk.name not in list_domains() and "tau2-lite/test_help_desk" not in gym.registry


def test_generated_ids_and_dates_replay_exactly_whatever_the_episode_seed() -> None:
    domain = get_domain("test_help_desk")
    ids: set[str] = set()
    for seed in (0, 123):
        env = Tau2Env(domain, "desk_1", user="scripted")
        env.reset(seed=seed)
        obs, reward, terminated, _, info = env.step(env.reference_solution()[0])
        ticket = json.loads(json.loads(obs)[0]["content"])
        assert ticket["opened_on"] == "2025-01-02" and ticket["ticket_id"].startswith("T-")
        ids.add(ticket["ticket_id"])
        obs, reward, terminated, _, info = env.step(env.reference_solution()[1])
        assert terminated and info["termination"] == Termination.USER_STOP and reward == 1.0
    assert len(ids) == 1   # the same id in every episode, as in the gold replay
    assert domain.split_of("desk_1") == "train" and domain.split_of("desk_2") == "test"


def test_a_wrong_subject_fails_the_db_check_and_registration_reaches_gymnasium() -> None:
    env = gym.make("tau2-lite/test_help_desk", task_id="desk_2").unwrapped
    env.reset(seed=0)
    env.step({"type": "tool_call", "name": "open_ticket", "arguments": {"subject": "something else"}})
    _, reward, terminated, _, info = env.step({"type": "message", "content": "Opened."})
    assert terminated and reward == 0.0 and info["evaluation"]["details"]["env"]["db_match"] is False
