"""Safe YAML reading with line numbers, for rule files and anything else users hand us.

`yaml.safe_load` semantics (no Python objects), plus: aliases are refused (an alias bomb cannot
expand), and every mapping remembers the line it starts on so errors can name it.

libyaml parses when PyYAML has it (the shipped rules: 0.015 s instead of 0.13 s in pure Python)
and it is 0.2.5 or newer, whose parser limits nesting depth; its composer is C code, so aliases
are found in the composed node tree (an alias is a node met twice) rather than as events.
"""

from __future__ import annotations

from typing import Any

import yaml

from qcheck import expr
from qcheck.errors import QcheckError

MAX_BYTES = 4 * 1024 * 1024


class LineDict(dict):
    """A mapping from YAML that knows its 1-based line number."""

    line: int = 0


def _libyaml_loader():
    try:
        from yaml import _yaml  # PyYAML's libyaml binding

        return yaml.CSafeLoader if tuple(_yaml.get_version()) >= (0, 2, 5) else None
    except (ImportError, AttributeError):
        return None


class _Loader(_libyaml_loader() or yaml.SafeLoader):
    def get_single_node(self):  # noqa: D102 - PyYAML hook
        node = super().get_single_node()
        if node is not None:
            _refuse_aliases(node)
        return node

    def construct_object(self, node, deep=False):  # noqa: D102 - PyYAML hook
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except Exception as error:  # !!int abc, 2001-13-45: a value the safe constructors reject
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.tag.rsplit(':', 1)[-1]} value {str(node.value)[:60]!r} "
                f"({error})", node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        # A repeated key would silently replace the first one (a second `check:` wins): refuse it.
        seen = set()
        for key_node, _ in node.value if isinstance(node, yaml.MappingNode) else ():
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # unhashable: the base constructor reports it
                continue
            if repeated:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"key {key!r} appears twice",
                    key_node.start_mark)
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        return mapping


def _refuse_aliases(root: yaml.Node) -> None:
    """An alias makes two places of the tree one node object: refuse the first node met twice,
    walking in document order (so the anchor is met first) without recursion."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Any]] = [(root, root.start_mark)]
    while stack:
        node, mark = stack.pop()
        if id(node) in seen:
            raise yaml.MarkedYAMLError("while reading", None, "aliases (*name) are not allowed", mark)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack += [(value, key.start_mark), (key, key.start_mark)]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, node.start_mark) for item in reversed(node.value)]


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


def load(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise QcheckError(f"cannot read: {error.strerror}", path) from None
    if len(data) > MAX_BYTES:
        raise QcheckError(f"larger than {MAX_BYTES // (1024 * 1024)} MB; not a rule file", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise QcheckError("not UTF-8 text; rule files are YAML", path) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise QcheckError(f"{where}invalid YAML: {error.problem or error.context}", path) from None
    except yaml.YAMLError as error:
        raise QcheckError(f"invalid YAML: {str(error).splitlines()[0]}", path) from None
    except RecursionError:
        raise QcheckError("invalid YAML: nested too deeply", path) from None


def line_of(value: Any) -> int:
    return getattr(value, "line", 0)


class Reader:
    """Validation helpers that know which file they read, for one-line errors; `facts`: the
    names a constraint expression may use."""

    def __init__(self, path: str, facts: set[str] | frozenset[str] = frozenset()):
        self.path = path
        self.facts = set(facts)

    def fail(self, where: Any, message: str) -> QcheckError:
        line = line_of(where)
        return QcheckError(f"line {line}: {message}" if line else message, self.path)

    def mapping(self, value: Any, what: str, parent: Any = None) -> dict:
        if not isinstance(value, dict):
            raise self.fail(parent if parent is not None else value,
                            f"{what} must be a mapping, got {type_name(value)}")
        return value

    def keys(self, value: dict, allowed: set[str], what: str) -> None:
        unknown = [k for k in value if k not in allowed]
        if unknown:
            raise self.fail(value, f"unknown key {unknown[0]!r} in {what}; allowed: "
                                   f"{', '.join(sorted(allowed))}")

    def text(self, value: Any, what: str, where: Any, optional: bool = True) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{what} must be a non-empty string")
        return value.strip()

    def names(self, value: Any, what: str, where: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(where, f"{what} must be a list of strings")
        return list(value)

    def expression(self, value: Any, what: str, where: Any) -> expr.Expr | None:
        if value is None:
            return None
        if isinstance(value, bool):
            value = str(value)
        try:
            return expr.parse(value, self.facts)
        except expr.ExprError as error:
            raise self.fail(where, f"{what}: {error}") from None


def type_name(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__
