"""Deterministic time and id generation for tool domains.

Replays must be exact: the DB reward compares the state reached by the gold actions with the
state reached by the agent's write calls, each replayed on a fresh DB. Anything a tool derives
from the wall clock or from a global random source would make the two differ, so tools take
"now" from a `FixedClock` and new ids from an `IdGenerator`, both owned by the toolkit and
rebuilt for every fresh DB.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_NOW = datetime(2024, 5, 15, 15, 0, 0)


@dataclass
class FixedClock:
    """A clock that always reads `start` (plus `tick` for every reading if `tick` is set).

    With the default `tick=0` every reading is the same instant, so the result of a tool never
    depends on how many read calls came before it.
    """

    start: datetime = DEFAULT_NOW
    tick: timedelta = timedelta(0)
    _readings: int = field(default=0, repr=False)

    def now(self) -> datetime:
        value = self.start + self.tick * self._readings
        self._readings += 1
        return value

    def today(self) -> str:
        """ISO date of `now()`, e.g. '2024-05-15'."""
        return self.now().date().isoformat()


@dataclass
class IdGenerator:
    """Seeded, per-prefix ids: the n-th id of a prefix depends only on (seed, prefix, n).

    Call `next()` only once a write is sure to succeed, so that a failed call does not shift
    the ids of later calls between the gold replay and the agent replay.
    """

    seed: int = 0
    _counters: dict[str, int] = field(default_factory=dict, repr=False)

    def next(self, prefix: str, digits: int = 7) -> str:
        """The next id for `prefix`, e.g. next("card_") -> "card_4821930"."""
        n = self._counters.get(prefix, 0)
        self._counters[prefix] = n + 1
        digest = hashlib.sha256(f"{self.seed}:{prefix}:{n}".encode()).hexdigest()
        number = int(digest, 16) % (10 ** digits)
        return f"{prefix}{number:0{digits}d}"

    def sequence(self, prefix: str) -> str:
        """The next id of a plain counter: sequence("T") -> "T1", "T2", …"""
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        return f"{prefix}{n}"
