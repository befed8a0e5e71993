"""The `calculate` tool refuses expressions whose evaluation would blow up, quickly and as a tool error."""
from __future__ import annotations

import random
import time

import pytest

from envs.tau2_lite.domains.calculator import calculate_expression
from envs.tau2_lite.domains.retail.tools import RetailTools

BOMBS = [
    "((9**999)**999)**10",
    "9**9**9**9",
    "(9**999)**999",
    "*".join(["(10**300)"] * 200),
    "(" * 190 + "9**999" + ")" * 190 + "**999",
    "-" * 9_000 + "1",
    "+".join(["1"] * 5_000),
    "(((2**1000)**1000)**1000)",
    "1" * 20_000,
]


@pytest.mark.parametrize("expression", BOMBS, ids=range(len(BOMBS)))
def test_bomb_is_refused_fast_as_a_tool_error(expression: str) -> None:
    start = time.perf_counter()
    result = RetailTools(None).execute("calculate", {"expression": expression})
    assert time.perf_counter() - start < 0.05
    assert result.error and "Error: " in result.content


@pytest.mark.parametrize("expression", BOMBS[:4], ids=range(4))
def test_bomb_raises_a_value_error(expression: str) -> None:
    with pytest.raises(ValueError, match="too large"):
        calculate_expression(expression)


def _reference(expression: str) -> str:
    """τ²-bench's calculate tool, for inputs known to be harmless."""
    return str(round(float(eval(expression, {"__builtins__": None}, {})), 2))  # noqa: S307


def _random_expression(rng: random.Random, depth: int = 0) -> str:
    if depth > 3 or rng.random() < 0.3:
        return rng.choice([str(rng.randint(0, 10_000)), f"{rng.uniform(0, 5_000):.2f}", str(rng.randint(0, 9))])
    op = rng.choice(["+", "-", "*", "/", "//", "**"])
    left, right = _random_expression(rng, depth + 1), _random_expression(rng, depth + 1)
    if op == "**":
        right = str(rng.randint(0, 4))
    return rng.choice(["{} {} {}", "({} {} {})", "-({}{}{})"]).format(left, op, right)


def test_ordinary_expressions_match_the_reference() -> None:
    rng = random.Random(7)
    checked = 0
    for _ in range(3_000):
        expression = _random_expression(rng)
        try:
            expected = _reference(expression)
        except (ArithmeticError, ValueError):
            continue
        assert calculate_expression(expression) == expected, expression
        checked += 1
    assert checked > 1_000
    for expression in ("9 ** 300", "2 ** 1000 / 2 ** 999", "(10 ** 400) // (10 ** 399)", "0.1 + 0.2", "7 // 2"):
        assert calculate_expression(expression) == _reference(expression)
