"""Targets of a benchmark: each check prints its verdict, `finish()` the summary and exit code.

    targets = Targets("store_bench")
    targets.at_least("SQLite steps/s", rate, 1000, "steps/s")
    sys.exit(targets.finish())

Every check prints `PASS` or `MISS` with the figure and the target; `finish()` prints one last
line (`store_bench: PASS, 1 of 1 targets met` or `store_bench: MISS, ...` naming each missed
target) and returns the process exit code: 0 when every target was met, 1 otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Targets:
    bench: str
    checked: int = 0
    missed: list[str] = field(default_factory=list)

    def at_least(self, name: str, value: float, target: float, unit: str = "") -> bool:
        return self._check(name, value, target, unit, value >= target, ">=")

    def at_most(self, name: str, value: float, target: float, unit: str = "") -> bool:
        return self._check(name, value, target, unit, value <= target, "<=")

    def _check(self, name: str, value: float, target: float, unit: str, ok: bool, op: str) -> bool:
        self.checked += 1
        figure = f"{name}: {_fmt(value)}{unit} (target {op} {_fmt(target)}{unit})"
        if not ok:
            self.missed.append(figure)
        print(f"{'PASS' if ok else 'MISS'} {figure}")
        return ok

    def finish(self) -> int:
        if not self.checked:
            print(f"MISS {self.bench}: no target was checked")
            return 1
        if self.missed:
            print(f"MISS {self.bench}: {len(self.missed)} of {self.checked} targets missed: " + "; ".join(self.missed))
            return 1
        print(f"PASS {self.bench}: all {self.checked} targets met")
        return 0


def _fmt(value: float) -> str:
    if float(value).is_integer() and abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
