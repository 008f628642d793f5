"""The constraint language of rule files: a small, safe subset of Python expressions.

Parsed once with `ast` against a whitelist and evaluated by walking the tree: names are facts
about a layer (`kernel_h`, `out_channels`, `is_model_output`), never Python objects, so a rule
file cannot reach the interpreter. Examples:

    kernel_h * kernel_w <= 1024
    dilation_h == 1 or stride_h == 1
    mode in ("nearest", "bilinear")
    out_channels <= (16384 if is_model_output else 8192)
"""

from __future__ import annotations

import ast
import operator
import warnings
from dataclasses import dataclass
from typing import Any, Callable

MAX_LENGTH = 500

_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
def _multiply(left: Any, right: Any) -> Any:
    # Numbers only: "x" * 10**9 would let a rule file allocate a gigabyte.
    if not all(isinstance(v, (int, float)) for v in (left, right)):
        raise TypeError("* takes numbers only")
    return left * right


def _modulo(left: Any, right: Any) -> Any:
    # Numbers only: "%*d" % (10**9, 1) is string formatting that allocates a gigabyte.
    if not all(isinstance(v, (int, float)) for v in (left, right)):
        raise TypeError("% takes numbers only")
    return left % right


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: _multiply,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: _modulo,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "max": max, "min": min, "abs": abs, "len": len,
    "all": lambda items: all(items), "any": lambda items: any(items),
    "prod": lambda items: _product(items),
}


def _product(items):
    result = 1
    for item in items:
        result = _multiply(result, item)  # prod(("x", 10**9)) must not build a string either
    return result


class ExprError(ValueError):
    """The expression is not in the language; the message says which part."""


class Unknown(Exception):
    """A fact the expression needs is not known for this layer: the constraint cannot be judged."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Expr:
    text: str
    tree: ast.expression
    names: tuple[str, ...]  # facts read, in first-use order

    def evaluate(self, facts: dict[str, Any]) -> Any:
        try:
            return _eval(self.tree.body, facts)
        except Unknown:
            raise
        except (TypeError, ValueError, LookupError, ArithmeticError, RecursionError, MemoryError) as error:
            # (1, 2)[5], "a" < 1, 1 / 0, max(()): facts of a shape the expression cannot judge
            raise Unknown(f"{self.text} ({error})") from None


def parse(text: str, known_names: set[str] | None = None) -> Expr:
    """Parse and validate; raises ExprError with a reason a rule author can act on."""
    if not isinstance(text, str):
        raise ExprError(f"expected an expression string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters")
    try:
        with warnings.catch_warnings():  # "\d" in a rule string: no SyntaxWarning on stderr
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExprError(f"syntax error in {text!r}: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, nesting too deep
        raise ExprError(f"cannot parse {text!r}: {str(error) or type(error).__name__}") from None
    names: list[str] = []
    _validate(tree.body, names, known_names)
    return Expr(text.strip(), tree, tuple(dict.fromkeys(names)))


def _validate(node: ast.AST, names: list[str], known: set[str] | None) -> None:
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, float, str, bool, type(None))):
            raise ExprError(f"constant {node.value!r} is not allowed")
        return
    if isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):
            return
        if node.id.startswith("_"):
            raise ExprError(f"name {node.id!r} is not allowed")
        if known is not None and node.id not in known:
            raise ExprError(f"unknown fact {node.id!r}")
        names.append(node.id)
        return
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _validate(value, names, known)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub, ast.UAdd)):
        _validate(node.operand, names, known)
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _validate(node.left, names, known)
        _validate(node.right, names, known)
        return
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        _validate(node.left, names, known)
        for comparator in node.comparators:
            _validate(comparator, names, known)
        return
    if isinstance(node, ast.IfExp):
        for part in (node.test, node.body, node.orelse):
            _validate(part, names, known)
        return
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            _validate(element, names, known)
        return
    if isinstance(node, ast.Subscript):
        _validate(node.value, names, known)
        _validate(node.slice, names, known)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            raise ExprError(f"only the functions {', '.join(sorted(_FUNCTIONS))} may be called")
        for arg in node.args:
            _validate(arg, names, known)
        return
    raise ExprError(f"{type(node).__name__} is not allowed in a constraint "
                    f"({ast.unparse(node) if hasattr(ast, 'unparse') else ''})")


def _eval(node: ast.AST, facts: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        value = facts.get(node.id)
        if value is None:
            raise Unknown(node.id)
        return value
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            result: Any = True
            for value in node.values:
                result = _eval(value, facts)
                if not result:
                    return result
            return result
        result = False
        for value in node.values:
            result = _eval(value, facts)
            if result:
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, facts)
        if isinstance(node.op, ast.Not):
            return not operand
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, facts), _eval(node.right, facts))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, facts)
        for op, comparator in zip(node.ops, node.comparators):
            right = _eval(comparator, facts)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body, facts) if _eval(node.test, facts) else _eval(node.orelse, facts)
    if isinstance(node, ast.Tuple):
        return tuple(_eval(element, facts) for element in node.elts)
    if isinstance(node, ast.List):
        return [_eval(element, facts) for element in node.elts]
    if isinstance(node, ast.Subscript):
        return _eval(node.value, facts)[_eval(node.slice, facts)]
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id](*[_eval(arg, facts) for arg in node.args])
    raise ExprError(f"{type(node).__name__} is not allowed")  # unreachable after parse()
