"""A safe arithmetic evaluator for the `calculate` tool (nothing a model sends is exec'd).

Outputs match τ²-bench's `str(round(float(eval(expression)), 2))` for ordinary expressions; what
would make the reference hang (huge powers and products) is refused with a ValueError instead.
"""
from __future__ import annotations

import ast
import operator
import time
from collections.abc import Callable

Number = float | int

_ALLOWED_CHARS = set("0123456789+-*/(). ")
_BINOPS: dict[type[ast.operator], Callable[[Number, Number], Number]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Pow: operator.pow}
_UNOPS: dict[type[ast.unaryop], Callable[[Number], Number]] = {
    ast.UAdd: operator.pos, ast.USub: operator.neg}
_MAX_EXPONENT = 1000
# Far beyond a float's range (1024 bits), so only values the reference could never return are
# refused; arithmetic on ints this size takes microseconds.
_MAX_INT_BITS = 16_384
_MAX_LENGTH = 10_000
_TIME_BUDGET_S = 0.05


def _int_bits(value: Number) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_operands(op: ast.operator, left: Number, right: Number) -> None:
    """Refuse an operation whose integer result would exceed the size bound, before computing it."""
    if isinstance(op, ast.Pow):
        if abs(right) > _MAX_EXPONENT:
            raise ValueError("Exponent too large")
        # |left| >= 2**(bits - 1), so the power has at least (bits - 1) * right bits.
        if isinstance(left, int) and isinstance(right, int) and right > 0 \
                and (_int_bits(left) - 1) * right > _MAX_INT_BITS:
            raise ValueError("Result too large")
    elif isinstance(op, ast.Mult) and _int_bits(left) + _int_bits(right) - 1 > _MAX_INT_BITS:
        raise ValueError("Result too large")


def _evaluate(tree: ast.Expression, deadline: float) -> Number:
    """Post-order evaluation with an explicit stack, so nesting depth costs no Python recursion."""
    values: list[Number] = []
    todo: list[tuple[ast.AST, bool]] = [(tree.body, False)]
    while todo:
        if time.monotonic() > deadline:
            raise ValueError("Expression takes too long to evaluate")
        node, expanded = todo.pop()
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            values.append(node.value)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            if not expanded:
                todo += [(node, True), (node.right, False), (node.left, False)]
                continue
            right, left = values.pop(), values.pop()
            _check_operands(node.op, left, right)
            result = _BINOPS[type(node.op)](left, right)
            if _int_bits(result) > _MAX_INT_BITS:
                raise ValueError("Result too large")
            values.append(result)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNOPS:
            if not expanded:
                todo += [(node, True), (node.operand, False)]
                continue
            values.append(_UNOPS[type(node.op)](values.pop()))
        else:
            raise ValueError("Invalid expression")
    return values.pop()


def calculate_expression(expression: str) -> str:
    """τ²-bench's calculator semantics: digits, + - * / ( ) . and spaces; result rounded to 2."""
    if not all(ch in _ALLOWED_CHARS for ch in expression):
        raise ValueError("Invalid characters in expression")
    if len(expression) > _MAX_LENGTH:
        raise ValueError("Expression too long")
    deadline = time.monotonic() + _TIME_BUDGET_S
    try:
        tree = ast.parse(expression, filename="<string>", mode="eval")
    except (RecursionError, MemoryError):
        raise ValueError("Expression too deeply nested") from None
    return str(round(float(_evaluate(tree, deadline)), 2))
