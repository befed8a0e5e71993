"""A safe arithmetic evaluator for the `calculate` tool (nothing a model sends is exec'd)."""
from __future__ import annotations

import ast
import operator

_ALLOWED_CHARS = set("0123456789+-*/(). ")
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Pow: operator.pow}
_UNOPS = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_MAX_EXPONENT = 1000


def _eval(node: ast.AST) -> float | int:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
            raise ValueError("Exponent too large")
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNOPS:
        return _UNOPS[type(node.op)](_eval(node.operand))
    raise ValueError("Invalid expression")


def calculate_expression(expression: str) -> str:
    """τ²-bench's calculator semantics: digits, + - * / ( ) . and spaces; result rounded to 2."""
    if not all(ch in _ALLOWED_CHARS for ch in expression):
        raise ValueError("Invalid characters in expression")
    tree = ast.parse(expression, filename="<string>", mode="eval")
    return str(round(float(_eval(tree)), 2))
