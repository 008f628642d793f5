"""The constraint language of rule files: a small, safe subset of Python expressions.

Parsed once with `ast` against a whitelist, then compiled into nested Python closures (one per
tree node, built here, never `eval`/`compile` of the text): names are facts about a layer (`kernel_h`, `out_channels`, `is_model_output`), never Python objects, so a rule
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
from dataclasses import dataclass, field
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
    # The tree as closures: a layer's dozen constraints are evaluated for every layer of a
    # graph, and walking the tree each time cost several times more.
    run: Callable[[dict[str, Any]], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "run", _compile(self.tree.body))

    def evaluate(self, facts: dict[str, Any]) -> Any:
        try:
            return self.run(facts)
        except Unknown:
            raise
        except (TypeError, ValueError, LookupError, ArithmeticError, RecursionError, MemoryError) as error:
            # (1, 2)[5], "a" < 1, 1 / 0, max(()): facts of a shape the expression cannot judge
            raise Unknown(f"{self.text} ({error})") from None


def parse(text: str, known_names: set[str] | None = None, slices: bool = False) -> Expr:
    """Parse and validate; raises ExprError with a reason a rule author can act on. With
    `slices`, `shape[:-1]` is allowed too: the shapes of a composite's tensors are written with
    slices; constraints never need them."""
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
    _validate(tree.body, names, known_names, slices)
    return Expr(text.strip(), tree, tuple(dict.fromkeys(names)))


def _validate(node: ast.AST, names: list[str], known: set[str] | None, slices: bool = False) -> None:
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
            _validate(value, names, known, slices)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub, ast.UAdd)):
        _validate(node.operand, names, known, slices)
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _validate(node.left, names, known, slices)
        _validate(node.right, names, known, slices)
        return
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        _validate(node.left, names, known, slices)
        for comparator in node.comparators:
            _validate(comparator, names, known, slices)
        return
    if isinstance(node, ast.IfExp):
        for part in (node.test, node.body, node.orelse):
            _validate(part, names, known, slices)
        return
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            _validate(element, names, known, slices)
        return
    if isinstance(node, ast.Subscript):
        _validate(node.value, names, known, slices)
        _validate(node.slice, names, known, slices)
        return
    if isinstance(node, ast.Slice) and slices:  # shape[:-1]: a slice only shrinks a tuple
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                _validate(part, names, known, slices)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or node.keywords:
            raise ExprError(f"only the functions {', '.join(sorted(_FUNCTIONS))} may be called")
        for arg in node.args:
            _validate(arg, names, known, slices)
        return
    raise ExprError(f"{type(node).__name__} is not allowed in a constraint "
                    f"({ast.unparse(node) if hasattr(ast, 'unparse') else ''})")


_LITERALS = {"True": True, "False": False, "None": None}


def _none(facts: dict[str, Any]) -> None:
    return None  # an omitted slice bound


def _compile(node: ast.AST) -> Callable[[dict[str, Any]], Any]:
    """A closure computing `node` from the facts; only the node types _validate accepts."""
    if isinstance(node, ast.Constant):
        constant = node.value
        return lambda facts: constant
    if isinstance(node, ast.Name):
        name = node.id
        if name in _LITERALS:
            literal = _LITERALS[name]
            return lambda facts: literal

        def fact(facts):
            value = facts.get(name)
            if value is None:
                raise Unknown(name)
            return value
        return fact
    if isinstance(node, ast.BoolOp):
        parts = [_compile(value) for value in node.values]
        if isinstance(node.op, ast.And):
            def conjunction(facts):
                result: Any = True
                for part in parts:
                    result = part(facts)
                    if not result:
                        return result
                return result
            return conjunction

        def disjunction(facts):
            result: Any = False
            for part in parts:
                result = part(facts)
                if result:
                    return result
            return result
        return disjunction
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda facts: not operand(facts)
        if isinstance(node.op, ast.USub):
            return lambda facts: -operand(facts)
        return lambda facts: +operand(facts)
    if isinstance(node, ast.BinOp):
        binary, left, right = _BINARY[type(node.op)], _compile(node.left), _compile(node.right)
        return lambda facts: binary(left(facts), right(facts))
    if isinstance(node, ast.Compare):
        first = _compile(node.left)
        if len(node.ops) == 1:  # the common case: kernel_h <= 7
            compare, second = _COMPARE[type(node.ops[0])], _compile(node.comparators[0])
            return lambda facts: True if compare(first(facts), second(facts)) else False
        steps = [(_COMPARE[type(op)], _compile(comparator)) for op, comparator in zip(node.ops, node.comparators)]

        def chain(facts):
            left = first(facts)
            for compare, comparator in steps:
                right = comparator(facts)
                if not compare(left, right):
                    return False
                left = right
            return True
        return chain
    if isinstance(node, ast.IfExp):
        test, body, orelse = _compile(node.test), _compile(node.body), _compile(node.orelse)
        return lambda facts: body(facts) if test(facts) else orelse(facts)
    if isinstance(node, ast.Tuple):
        elements = [_compile(element) for element in node.elts]
        return lambda facts: tuple(element(facts) for element in elements)
    if isinstance(node, ast.List):
        elements = [_compile(element) for element in node.elts]
        return lambda facts: [element(facts) for element in elements]
    if isinstance(node, ast.Subscript):
        container, index = _compile(node.value), _compile(node.slice)
        return lambda facts: container(facts)[index(facts)]
    if isinstance(node, ast.Slice):
        bounds = [_compile(part) if part is not None else _none for part in (node.lower, node.upper, node.step)]
        return lambda facts: slice(*(bound(facts) for bound in bounds))
    if isinstance(node, ast.Call):
        function = _FUNCTIONS[node.func.id]
        arguments = [_compile(arg) for arg in node.args]
        return lambda facts: function(*[argument(facts) for argument in arguments])
    raise ExprError(f"{type(node).__name__} is not allowed")  # unreachable after parse()
