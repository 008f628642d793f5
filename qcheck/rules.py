"""The support table as data: load rule files (YAML) into a typed, validated RuleSet.

The shipped files in `rules/` encode the vendor's operator table; `--rules FILE` adds files on top
(a team's stricter limit, a corrected row, a new march extending an existing one). Loading checks
everything a rule author can get wrong and names the file and line; nothing in a rule file is
ever run as Python: constraints are parsed by `qcheck.expr` against the declared facts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from qcheck import expr, readings
from qcheck.constraint import Constraint, Reading  # noqa: F401 (re-exported)
from qcheck.errors import QcheckError
from qcheck.facts import FACTS
from qcheck.patterns import PATTERNS
from qcheck.paths import shipped_rule_files, shipped_rules_dir  # noqa: F401 (re-exported)
from qcheck.yamlfile import Reader, line_of, load

DTYPES = ("qint8", "qint16", "qint32", "qbool", "int32", "float32")
SEVERITIES = ("error", "warning", "info")
DTYPE_ROLES = ("input", "weight", "bias", "output")
# A march's default qconfig: the dtype of activations, weights and biases (`dtypes` in marches.yaml)
MARCH_DTYPE_ROLES = ("activation", "weight", "bias")
QUANTIZED_DTYPES = ("qint8", "qint16", "qint32")

_OPERATOR_KEYS = {"name", "id", "category", "eager", "match", "group", "note", "patterns"}
_MATCH_KEYS = {"ops", "modules", "when", "module_only"}
_BLOCK_KEYS = {"supported", "same_as", "inherit", "drop", "replace", "note", "advice", "constraints", *DTYPE_ROLES}
# A same_as block is the other row's rule: keys that would add to it are refused, not dropped.
_SAME_AS_KEYS = {"same_as", "drop", "replace", "note", "advice"}
_CONSTRAINT_KEYS = {"id", "check", "when", "says", "severity", "advice", "note", "table", *readings.KEYS}
_MARCH_KEYS = {"board", "extends", "aliases", "note", "constraints", "perf", "dtypes"}
_TOP_KEYS = {"marches", "operators", "structural", "version", "composites", "shape_only", "views", "fake_quant"}
_OP_NAME = re.compile(r"^[A-Za-z_]\w*::[A-Za-z_][\w.]*$")  # aten::conv2d, quantized::add


@dataclass
class MarchRule:
    """One operator row on one march, resolved (references followed, inheritance applied)."""

    march: str
    supported: bool
    constraints: list[Constraint]
    output: Any = None  # list of dtypes | "same" | {index: list} | None (not stated)
    via: str | None = None
    note: str | None = None
    reads: frozenset[str] = field(init=False)  # the facts its constraints and conditions read

    def __post_init__(self) -> None:
        self.reads = frozenset(name for c in self.constraints for e in c.judged for name in e.names)


@dataclass
class Operator:
    name: str  # exactly as in the table: "torch.nn.Conv2d"
    id: str  # short and stable: "conv2d"
    category: str
    eager: str | None
    ops: list[str]
    modules: list[str]
    when: expr.Expr | None
    module_only: bool
    group: bool
    note: str | None
    file: str
    line: int
    blocks: dict[str, Any] = field(default_factory=dict)  # march -> (file, raw block) (validated)
    # march -> [(file, block)]: later files' blocks that extend the row on that march, in order
    # (a block with `replace: true` or `same_as` replaces the row and clears them).
    extensions: dict[str, list] = field(default_factory=dict)
    # Named patterns of this operator (qcheck.patterns): special cases implemented once in code.
    patterns: list[str] = field(default_factory=list)


@dataclass
class March:
    name: str
    board: str
    extends: str | None
    aliases: list[str]
    note: str | None = None
    # Constraints every supported operator of this march gets (a block's `drop` opts out).
    constraints: list[dict] = field(default_factory=list)
    file: str = ""
    # Headline figures for cost estimates: {"tops": int8 TOPS, "bandwidth_gbs": GB/s, "source": text};
    # a march that gives none has its parent's.
    perf: dict | None = None
    # The default qconfig's dtypes {"activation", "weight", "bias"}: the march's own keys over its
    # parent's (a redefinition keeps the earlier definition's), complete once loaded.
    dtypes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TensorRef:
    """A composite part's argument or output that is a tensor: `gate`, `self`, `pieces[0]`."""

    name: str
    index: int | None = None

    @property
    def text(self) -> str:
        return self.name if self.index is None else f"{self.name}[{self.index}]"


@dataclass(frozen=True)
class CompositeTensor:
    """A tensor between a composite's parts, which the captured graph does not have."""

    name: str
    shape: expr.Expr  # over the op's arguments, `out`, `outs` and the tensors declared before it
    count: expr.Expr | None = None  # a list of `count` tensors of that shape (split's pieces)
    constant: bool = False  # a tensor the compiler folds (built from sizes), written by no part
    view_of: str | None = None  # an argument seen with this shape (k^T for a matmul), written by no part


@dataclass(frozen=True)
class CompositePart:
    """One table row a composite is judged as, and what that row sees."""

    id: str  # names the part in findings
    row: str  # the table row it is judged as
    op: str | None  # the op the row's facts are read as; None: the composite's own node, re-read
    args: dict[str, Any]  # argument -> TensorRef | expr.Expr (a value) | literal
    out: TensorRef | None  # the tensor it writes (None with op None: the node's own outputs)
    views: dict[str, expr.Expr]  # op None: shapes the row sees for the node's arguments / `out`
    when: expr.Expr | None  # the part exists only when this holds (an absent argument: it does not)
    note: str | None
    line: int


@dataclass
class Composite:
    """An op that is not a row of the table but a composition of rows: judged through them."""

    name: str  # what the report calls the layer: "torch.nn.Hardswish"
    id: str
    formula: str  # the decomposition in one line: "x * hardsigmoid(x)"
    ops: list[str]
    when: expr.Expr | None  # on the node's facts, as a row's match.when
    arguments: list[str]  # the node's arguments the decomposition reads (schema names)
    tensors: dict[str, CompositeTensor]
    parts: list[CompositePart]
    note: str | None
    file: str
    line: int

    @property
    def judged_as(self) -> list[str]:
        return [part.row for part in self.parts]


@dataclass
class RuleSet:
    marches: dict[str, March]
    operators: dict[str, Operator]
    structural: set[str]
    files: list[str]
    composites: dict[str, Composite] = field(default_factory=dict)
    # Ops whose named tensor arguments are read for their shape, dtype or device only (x.new_full,
    # x.size(), y.type_as(x)): the node is a folded constant when its other inputs are.
    shape_only: dict[str, frozenset[str]] = field(default_factory=dict)
    # Ops whose output is a view of their `self` argument: an in-place write through the view
    # (a scripted `batched[i, :h, :w].copy_(img)`) writes the viewed tensor.
    views: set[str] = field(default_factory=set)
    # QAT fake-quant ops: structural (in `structural` too), and their quant_min / quant_max set
    # the dtype of the tensor they quantize (the dtypes stage reads them).
    fake_quant: set[str] = field(default_factory=set)
    _resolved: dict[tuple[str, str], MarchRule] = field(default_factory=dict)
    _by_target: dict[str, tuple[list[Operator], frozenset[str]]] = field(default_factory=dict)
    _by_id: dict[str, dict[str, Constraint]] = field(default_factory=dict)  # march -> id -> constraint
    _composites_by_target: dict[str, list[Composite]] = field(default_factory=dict)

    def resolve_march(self, text: str | None) -> str:
        choices = ", ".join(self.marches)
        if not text:
            raise QcheckError(f"no march given; pass --march with one of: {choices}")
        wanted = text.strip().lower()
        for march in self.marches.values():
            if wanted == march.name or wanted in (a.lower() for a in march.aliases):
                return march.name
        raise QcheckError(f"unknown march {text!r}; choose one of: {choices}")

    def boards(self) -> dict[str, str]:
        """march -> its board ("RDK X5"), as the renderers and the CLI help show it."""
        return {name: march.board for name, march in self.marches.items()}

    def rule(self, operator: str, march: str) -> MarchRule:
        key = (operator, march)
        if key not in self._resolved:
            self._resolved[key] = _resolve(self, operator, march, ())
        return self._resolved[key]

    def constraints(self, march: str | None = None) -> list[Constraint]:
        marches = [march] if march else list(self.marches)
        return [c for m in marches for op in self.operators for c in self.rule(op, m).constraints]

    def find_constraint(self, constraint_id: str) -> Constraint | None:
        march = constraint_id.split(".", 1)[0]
        if march not in self.marches:
            return None
        by_id = self._by_id.get(march)
        if by_id is None:
            by_id = self._by_id[march] = {}
            for constraint in self.constraints(march):
                by_id.setdefault(constraint.id, constraint)
        return by_id.get(constraint_id)

    def composite_candidates(self, target: str) -> list[Composite]:
        """The composites naming `target`, in file order."""
        found = self._composites_by_target.get(target)
        if found is None:
            found = self._composites_by_target[target] = [c for c in self.composites.values() if target in c.ops]
        return found

    def find_composite(self, text: str) -> Composite | None:
        """A composite by name or id."""
        return self.composites.get(text) or next((c for c in self.composites.values() if c.id == text), None)

    def candidates(self, target: str) -> list[Operator]:
        """The rows whose `ops` name `target`, in table order."""
        return self.match_candidates(target)[0]

    def match_candidates(self, target: str) -> tuple[list[Operator], frozenset[str]]:
        """The rows naming `target`, and the facts their `when` conditions read (looked up once)."""
        found = self._by_target.get(target)
        if found is None:
            rows = [op for op in self.operators.values() if target in op.ops]
            wanted = frozenset(name for op in rows if op.when is not None for name in op.when.names)
            found = self._by_target[target] = (rows, wanted)
        return found


def load_rules(extra: list[str] | None = None) -> RuleSet:
    """The shipped rule files, then each extra file in order (later files override)."""
    paths = shipped_rule_files()
    marches_first = sorted(paths, key=lambda p: os.path.basename(p) != "marches.yaml")
    ruleset = RuleSet(marches={}, operators={}, structural=set(), files=[])
    for path in marches_first + list(extra or []):
        _load_file(ruleset, path, shipped=path in paths)
    _validate_references(ruleset)
    return ruleset


def _load_file(ruleset: RuleSet, path: str, shipped: bool) -> None:
    reader = Reader(path, set(FACTS))
    if not os.path.isfile(path):
        raise QcheckError("no such rule file; pass a YAML file to --rules", path)
    data = load(path)
    if data is None:
        return
    reader.keys(reader.mapping(data, "a rule file"), _TOP_KEYS, "the rule file")
    ruleset.files.append(path)
    marches = data.get("marches") or {}
    for name, spec in reader.mapping(marches, "marches", data).items():
        spec = reader.mapping(spec or {}, f"march {name}", marches)
        reader.keys(spec, _MARCH_KEYS, f"march {name}")
        extends = spec.get("extends")
        if extends is not None and (not isinstance(extends, str) or extends not in ruleset.marches):
            raise reader.fail(spec, f"march {name} extends unknown march {extends!r}")
        ancestor = extends
        while ancestor is not None:  # redefining a march could close a loop: bayes -> bayes_e -> bayes
            if ancestor == str(name):
                raise reader.fail(spec, f"march {name} extends {extends!r}, which extends {name}: a loop")
            ancestor = ruleset.marches[ancestor].extends
        previous = ruleset.marches.get(str(name))
        ruleset.marches[str(name)] = March(
            name=str(name), board=reader.text(spec.get("board"), "board", spec) or str(name),
            extends=extends, aliases=reader.names(spec.get("aliases"), "aliases", spec),
            note=reader.text(spec.get("note"), "note", spec),
            perf=ruleset.marches[extends].perf if extends else None,
            dtypes=_march_dtypes(reader, spec, str(name), ruleset.marches[extends] if extends else previous))
        defaults = {"constraints": spec.get("constraints") or []}
        _validate_block(reader, defaults, f"march {name}")
        ruleset.marches[str(name)].constraints = defaults["constraints"]
        ruleset.marches[str(name)].file = reader.path
        perf = spec.get("perf")
        if perf is not None:
            perf = reader.mapping(perf, f"perf of march {name}", spec)
            reader.keys(perf, {"tops", "bandwidth_gbs", "source"}, f"perf of march {name}")
            for number in ("tops", "bandwidth_gbs"):
                if not isinstance(perf.get(number), (int, float)) or isinstance(perf.get(number), bool) \
                        or perf[number] <= 0:
                    raise reader.fail(perf, f"perf.{number} of march {name} must be a positive number")
            ruleset.marches[str(name)].perf = dict(perf)
    structural = data.get("structural")
    if structural is not None:
        ruleset.structural.update(_op_names(reader, structural, "structural", data))
    shape_only = data.get("shape_only")
    if shape_only is not None:
        for op, names in reader.mapping(shape_only, "shape_only", data).items():
            _op_names(reader, [op], "shape_only", shape_only)
            ruleset.shape_only[op] = frozenset(reader.names(names, f"shape_only of {op}", shape_only))
    views = data.get("views")
    if views is not None:
        ruleset.views.update(_op_names(reader, views, "views", data))
    fake_quant = data.get("fake_quant")
    if fake_quant is not None:
        names = _op_names(reader, fake_quant, "fake_quant", data)
        ruleset.fake_quant.update(names)
        ruleset.structural.update(names)
    composites = data.get("composites") or []
    if not isinstance(composites, list):
        raise reader.fail(data, "composites must be a list")
    for entry in composites:
        _load_composite(ruleset, reader, reader.mapping(entry, "a composite entry", data))
    operators = data.get("operators") or []
    if not isinstance(operators, list):
        raise reader.fail(data, "operators must be a list")
    for entry in operators:
        _load_operator(ruleset, reader, reader.mapping(entry, "an operator entry", data))


def _march_dtypes(reader: Reader, spec: dict, name: str, parent: March | None) -> dict[str, str]:
    """The march's `dtypes` over its parent's (or, redefining a march, the earlier definition's)."""
    own = spec.get("dtypes")
    if own is not None:
        own = reader.mapping(own, f"dtypes of march {name}", spec)
        reader.keys(own, set(MARCH_DTYPE_ROLES), f"dtypes of march {name}")
        for role, dtype in own.items():
            if dtype not in QUANTIZED_DTYPES:
                raise reader.fail(own, f"dtypes.{role} of march {name} must be one of "
                                       f"{', '.join(QUANTIZED_DTYPES)}, not {dtype!r}")
    dtypes = {**(parent.dtypes if parent else {}), **(own or {})}
    missing = [role for role in MARCH_DTYPE_ROLES if role not in dtypes]
    if missing:
        raise reader.fail(spec, f"march {name} gives no {' / '.join(missing)} dtype and extends no march "
                                f"that does; add dtypes: {{activation: qint8, weight: qint8, bias: qint32}}")
    return dtypes


def _load_operator(ruleset: RuleSet, reader: Reader, entry: dict) -> None:
    march_names = set(ruleset.marches)
    reader.keys(entry, _OPERATOR_KEYS | march_names, f"operator {entry.get('name', '?')}")
    name = reader.text(entry.get("name"), "name", entry, optional=False)
    existing = ruleset.operators.get(name)
    match = reader.mapping(entry.get("match") or {}, "match", entry)
    reader.keys(match, _MATCH_KEYS, f"match of {name}")
    if existing is None:
        if entry.get("id") is None:
            raise reader.fail(entry, f"unknown operator {name!r}: no rule file has a row of that name; "
                                     "to override a row use its exact name (`qcheck rules` lists them), "
                                     "to add an operator give it an id")
        op_id = reader.text(entry.get("id"), "id", entry, optional=False)
        if not op_id.replace("_", "").isalnum() or not op_id.islower():
            raise reader.fail(entry, f"id {op_id!r} must be lower_snake_case")
        clash = next((o.name for o in ruleset.operators.values() if o.id == op_id), None)
        if clash:
            raise reader.fail(entry, f"id {op_id!r} of {name} is already used by {clash}")
        existing = Operator(
            name=name, id=op_id, category=reader.text(entry.get("category"), "category", entry) or "",
            eager=reader.text(entry.get("eager"), "eager", entry), ops=[], modules=[], when=None,
            module_only=False, group=False, note=None, file=reader.path, line=line_of(entry))
        ruleset.operators[name] = existing
    elif entry.get("id") not in (None, existing.id):
        raise reader.fail(entry, f"{name} already has id {existing.id!r}; an override cannot rename it")
    if "ops" in match:
        existing.ops = _op_names(reader, match["ops"], "match.ops", match)
    if "modules" in match:
        existing.modules = reader.names(match["modules"], "match.modules", match)
    if "when" in match:
        existing.when = reader.expression(match["when"], "match.when", match)
    if "module_only" in match:
        if not isinstance(match["module_only"], bool):
            raise reader.fail(match, "module_only must be true or false")
        existing.module_only = match["module_only"]
    if "group" in entry:
        if not isinstance(entry["group"], bool):
            raise reader.fail(entry, "group must be true or false")
        existing.group = entry["group"]
    if "note" in entry:
        existing.note = reader.text(entry["note"], "note", entry)
    if "eager" in entry:
        existing.eager = reader.text(entry["eager"], "eager", entry)
    if "patterns" in entry:
        existing.patterns = _pattern_names(reader, entry["patterns"], name, entry)
    for march in sorted(march_names & set(entry)):
        what = f"{name} on {march}"
        block = reader.mapping({} if entry[march] is None else entry[march], what, entry)
        _validate_block(reader, block, what)
        if "inherit" in block and not ruleset.marches[march].extends:
            raise reader.fail(block, f"inherit in {what}: {march} extends no march, so there is nothing to "
                                     "inherit; remove it (write replace: true to replace a row)")
        if march not in existing.blocks or block.get("replace") or "same_as" in block:
            existing.blocks[march] = (reader.path, block)
            existing.extensions.pop(march, None)
            continue
        # A later file's block for a row that has one on this march extends it (the README's
        # "a team's stricter limits on top"); `replace: true` says when it means to replace.
        if block.get("inherit") is False:
            raise reader.fail(block, f"inherit: false in {what}: a later file's block extends the row it "
                                     "names; write replace: true to replace it")
        existing.extensions.setdefault(march, []).append((reader.path, block))
    if existing.group and not existing.modules:
        raise reader.fail(entry, f"{name} is judged as one layer (group: true) but names no modules")


def _pattern_names(reader: Reader, value: Any, name: str, entry: dict) -> list[str]:
    names = reader.names(value, f"patterns of {name}", entry)
    for pattern in names:
        if pattern not in PATTERNS:
            raise reader.fail(entry, f"unknown pattern {pattern!r} in {name}; known patterns: "
                                     f"{', '.join(sorted(PATTERNS))} (docs/RULES.md, Patterns)")
    return names


def _validate_block(reader: Reader, block: dict, what: str) -> None:
    reader.keys(block, _BLOCK_KEYS, what)
    if "supported" in block and not isinstance(block["supported"], bool):
        raise reader.fail(block, f"supported in {what} must be true or false")
    for flag in ("inherit", "replace"):
        if flag in block and not isinstance(block[flag], bool):
            raise reader.fail(block, f"{flag} in {what} must be true or false")
    if "same_as" in block:
        reader.text(block["same_as"], "same_as", block, optional=False)
        extra = sorted(set(block) - _SAME_AS_KEYS)
        if extra:
            raise reader.fail(block, f"{what} has same_as and {extra[0]}: a same_as block is the other row's "
                                     f"rule (only drop, note and advice go with it); write the rule without "
                                     f"same_as, or remove {extra[0]}")
    for role in DTYPE_ROLES:
        if role in block:
            block[role] = _validate_dtypes(reader, block[role], f"{role} of {what}", block,
                                           allow_same=(role == "output"))
    constraints = block.get("constraints") or []
    if not isinstance(constraints, list):
        raise reader.fail(block, f"constraints of {what} must be a list")
    seen = set()
    for item in constraints:
        item = reader.mapping(item, f"a constraint of {what}", block)
        reader.keys(item, _CONSTRAINT_KEYS, f"a constraint of {what}")
        cid = reader.text(item.get("id"), "constraint id", item, optional=False)
        if not cid.replace("_", "").isalnum() or cid in ("input", "output", "weight", "bias", "supported"):
            raise reader.fail(item, f"constraint id {cid!r} must be lower_snake_case and not a reserved word")
        if cid in seen:
            raise reader.fail(item, f"constraint id {cid!r} appears twice in {what}")
        seen.add(cid)
        reader.text(item.get("says"), "says", item, optional=False)
        if item.get("severity", "error") not in SEVERITIES:
            raise reader.fail(item, f"severity must be one of {', '.join(SEVERITIES)}")
        for key in ("check", "when"):
            if isinstance(item.get(key), bool):  # `check: true` is the expression "True"
                item[key] = str(item[key])
            reader.expression(item.get(key), f"{key} of {cid}", item)
        for key in ("advice", "note", "table"):
            reader.text(item.get(key), key, item)
        readings.validate(reader, item, cid)
    if "drop" in block:
        block["drop"] = reader.names(block["drop"], "drop", block)  # `drop: kernel` is one id


def _validate_dtypes(reader: Reader, value: Any, what: str, where: Any, allow_same: bool,
                     nested: bool = False) -> Any:
    """The dtypes as the resolver reads them: `qint8` becomes [qint8]; one level of mapping."""
    if allow_same and value == "same":
        return value
    if isinstance(value, dict) and not nested:  # {input: [qint8], grid: [qint16]}, {0: [...]}
        for key in list(value):
            value[key] = _validate_dtypes(reader, value[key], f"{what}[{key}]", value, allow_same, True)
        return value
    names = reader.names(value, what, where)
    for name in names:
        if name not in DTYPES:
            raise reader.fail(where, f"{what}: unknown dtype {name!r}; known: {', '.join(DTYPES)}")
    return names


def _op_names(reader: Reader, value: Any, what: str, where: Any) -> list[str]:
    names = reader.names(value, what, where)
    for name in names:
        if not _OP_NAME.match(name):
            raise reader.fail(where, f"{what}: {name!r} is not an op name; write captured node targets "
                                     "as namespace::name, e.g. aten::conv2d")
    return names


_COMPOSITE_KEYS = {"name", "id", "formula", "note", "match", "arguments", "tensors", "parts"}
_COMPOSITE_MATCH_KEYS = {"ops", "when"}
_TENSOR_KEYS = {"shape", "count", "constant", "view_of"}
_PART_KEYS = {"id", "as", "op", "args", "out", "views", "when", "note"}
_OUTPUTS = ("out", "outs")  # the composite node's first output, and all of them
_REFERENCE = re.compile(r"^([A-Za-z]\w*)(?:\[(-?\d+)\])?$")  # gate, pieces[0]


def _identifier(reader: Reader, value: Any, what: str, where: Any) -> str:
    if not isinstance(value, str) or not value.isidentifier() or value.startswith("_"):
        raise reader.fail(where, f"{what} must be a name (letters, digits, _), got {value!r}")
    return value


def _load_composite(ruleset: RuleSet, reader: Reader, entry: dict) -> None:
    """A composite entry: checked here as far as one file can tell; the rows its parts name are
    checked once every file is loaded (_validate_composites)."""
    reader.keys(entry, _COMPOSITE_KEYS, f"composite {entry.get('name', '?')}")
    name = reader.text(entry.get("name"), "name", entry, optional=False)
    what = f"composite {name}"
    op_id = reader.text(entry.get("id"), "id", entry, optional=False)
    if not op_id.replace("_", "").isalnum() or not op_id.islower():
        raise reader.fail(entry, f"id {op_id!r} must be lower_snake_case")
    clash = next((o.name for o in list(ruleset.operators.values()) + list(ruleset.composites.values())
                  if o.id == op_id and o.name != name), None)
    if clash:
        raise reader.fail(entry, f"id {op_id!r} of {name} is already used by {clash}")
    formula = reader.text(entry.get("formula"), "formula", entry, optional=False)
    match = reader.mapping(entry.get("match"), f"match of {what}", entry)
    reader.keys(match, _COMPOSITE_MATCH_KEYS, f"match of {what}")
    ops = _op_names(reader, match.get("ops"), "match.ops", match)
    if not ops:
        raise reader.fail(match, f"match.ops of {what} names no op")
    when = reader.expression(match.get("when"), "match.when", match)
    arguments = [_identifier(reader, a, f"an argument of {what}", entry)
                 for a in reader.names(entry.get("arguments"), "arguments", entry)]
    reserved = [a for a in arguments if a in _OUTPUTS]
    if reserved:
        raise reader.fail(entry, f"{what}: {reserved[0]!r} is the op's output, not an argument")
    known = set(arguments) | set(_OUTPUTS)
    tensors: dict[str, CompositeTensor] = {}
    declared = reader.mapping(entry.get("tensors") or {}, f"tensors of {what}", entry)
    for tensor_name, spec in declared.items():
        tensor_name = _identifier(reader, tensor_name, f"a tensor of {what}", declared)
        if tensor_name in known:
            raise reader.fail(declared, f"{what}: tensor {tensor_name!r} is already an argument or output")
        spec = {"shape": spec} if isinstance(spec, str) else reader.mapping(spec, f"tensor {tensor_name}", declared)
        reader.keys(spec, _TENSOR_KEYS, f"tensor {tensor_name} of {what}")
        if not isinstance(spec.get("shape"), str):
            raise reader.fail(declared, f"tensor {tensor_name} of {what} needs a shape expression")
        constant = spec.get("constant", False)
        if not isinstance(constant, bool):
            raise reader.fail(declared, f"constant of tensor {tensor_name} must be true or false")
        view_of = spec.get("view_of")
        if view_of is not None and view_of not in arguments:
            raise reader.fail(declared, f"view_of of tensor {tensor_name} must name an argument of {what}, "
                                        f"got {view_of!r}")
        if view_of is not None and (constant or spec.get("count") is not None):
            raise reader.fail(declared, f"tensor {tensor_name} is a view of {view_of}: it has no count and "
                                        "is not a constant")
        tensors[tensor_name] = CompositeTensor(
            tensor_name, _shape_expression(reader, spec["shape"], f"shape of {tensor_name}", declared, known),
            _shape_expression(reader, spec["count"], f"count of {tensor_name}", declared, known)
            if spec.get("count") is not None else None, constant, view_of)
        known.add(tensor_name)
    items = entry.get("parts")
    if not isinstance(items, list) or not items:
        raise reader.fail(entry, f"{what} needs a list of parts")
    written = set(arguments) | set(_OUTPUTS) | {t for t, spec in tensors.items() if spec.constant or spec.view_of}
    parts = []
    for item in items:
        item = reader.mapping(item, f"a part of {what}", entry)
        part = _load_part(reader, item, what, known, written, arguments)
        if part.id in {p.id for p in parts}:
            raise reader.fail(item, f"part id {part.id!r} appears twice in {what}")
        parts.append(part)
        if part.out is not None:
            written.add(part.out.name)
    unwritten = [t for t in tensors if t not in written]
    if unwritten:
        raise reader.fail(declared, f"{what}: no part writes tensor {unwritten[0]!r}")
    if not any(p.op is None or (p.out is not None and p.out.name in _OUTPUTS) for p in parts):
        raise reader.fail(entry, f"{what}: no part writes the op's output (out: out, or out: outs)")
    ruleset.composites[name] = Composite(
        name=name, id=op_id, formula=formula, ops=ops, when=when, arguments=arguments, tensors=tensors,
        parts=parts, note=reader.text(entry.get("note"), "note", entry), file=reader.path, line=line_of(entry))
    ruleset._composites_by_target.clear()


def _load_part(reader: Reader, item: dict, what: str, known: set[str], written: set[str],
               arguments: list[str]) -> CompositePart:
    reader.keys(item, _PART_KEYS, f"a part of {what}")
    part_id = _identifier(reader, item.get("id"), f"part id of {what}", item)
    where = f"part {part_id} of {what}"
    row = reader.text(item.get("as"), "as (the table row the part is judged as)", item, optional=False)
    op = item.get("op")
    when = _shape_expression(reader, item["when"], f"when of {where}", item, known) \
        if item.get("when") is not None else None
    note = reader.text(item.get("note"), "note", item)
    if op is None:  # the composite's own node, read as the row with other shapes (BatchNorm1d)
        for key in ("args", "out"):
            if key in item:
                raise reader.fail(item, f"{where} has no op: it re-reads the composite's own node, so it "
                                        f"takes no {key} (give views: instead, or an op)")
        views_spec = reader.mapping(item.get("views") or {}, f"views of {where}", item)
        views = {}
        for name, text in views_spec.items():
            if name not in arguments and name != "out":
                raise reader.fail(views_spec, f"views of {where}: {name!r} is neither an argument of the op nor out")
            views[name] = _shape_expression(reader, text, f"view of {name}", views_spec, known)
        return CompositePart(part_id, row, None, {}, None, views, when, note, line_of(item))
    op = _op_names(reader, [op], f"op of {where}", item)[0]
    if "views" in item:
        raise reader.fail(item, f"{where}: views are for a part without op; give args the tensors instead")
    args_spec = reader.mapping(item.get("args"), f"args of {where}", item)
    args: dict[str, Any] = {}
    for arg, value in args_spec.items():
        args[_identifier(reader, arg, f"an argument of {where}", args_spec)] = \
            _part_argument(reader, value, f"args.{arg} of {where}", args_spec, known, written)
    # Writing a tensor an earlier part wrote is allowed: an in-place step (attn_weight += mask).
    out = _tensor_reference(reader, item.get("out"), f"out of {where}", item, known)
    if out is None:
        raise reader.fail(item, f"{where} needs out: the tensor it writes")
    return CompositePart(part_id, row, op, args, out, {}, when, note, line_of(item))


def _shape_expression(reader: Reader, value: Any, what: str, where: Any, known: set[str]) -> expr.Expr:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise reader.fail(where, f"{what} must be an expression")
    try:
        return expr.parse(str(value), known, slices=True)
    except expr.ExprError as error:
        message = str(error)
        if message.startswith("unknown fact"):
            message = message.replace("unknown fact", "unknown name", 1) + \
                f" (known here: {', '.join(sorted(known))})"
        raise reader.fail(where, f"{what}: {message}") from None


def _tensor_reference(reader: Reader, value: Any, what: str, where: Any, known: set[str]) -> TensorRef | None:
    if value is None:
        return None
    found = _REFERENCE.match(value) if isinstance(value, str) else None
    if found is None or found.group(1) not in known:
        raise reader.fail(where, f"{what}: {value!r} is not a tensor of the composite "
                                 f"(known here: {', '.join(sorted(known))})")
    return TensorRef(found.group(1), int(found.group(2)) if found.group(2) is not None else None)


def _part_argument(reader: Reader, value: Any, what: str, where: Any, known: set[str], written: set[str]) -> Any:
    """A tensor by name (`gate`, `pieces[0]`), a value computed from the op's arguments and shapes
    (`dim % len(out)`), or a literal number."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, list) and all(isinstance(v, (bool, int, float)) for v in value):
        return list(value)
    if not isinstance(value, str):
        raise reader.fail(where, f"{what} must be a tensor name, an expression or a number")
    found = _REFERENCE.match(value.strip())
    if found is not None and found.group(1) in known:
        if found.group(1) not in written:
            raise reader.fail(where, f"{what}: tensor {found.group(1)!r} is read before a part writes it")
        return TensorRef(found.group(1), int(found.group(2)) if found.group(2) is not None else None)
    return _shape_expression(reader, value, what, where, known)


def _validate_composites(ruleset: RuleSet) -> None:
    """Every part names a row, and an op that row matches (so the row's facts are read as usual)."""
    for composite in ruleset.composites.values():
        if composite.name in ruleset.operators:
            raise QcheckError(f"line {composite.line}: composite {composite.name} has the name of a table row; "
                              "a composite is for an op that is not a row (override the row under operators: "
                              "instead)", composite.file)
        for part in composite.parts:
            row = ruleset.operators.get(part.row)
            if row is None:
                raise QcheckError(f"line {part.line}: part {part.id} of composite {composite.name} is judged "
                                  f"as {part.row!r}, which is not an operator of the rule files", composite.file)
            ops = [part.op] if part.op is not None else composite.ops
            foreign = [op for op in ops if op not in row.ops]
            if foreign:
                raise QcheckError(f"line {part.line}: part {part.id} of composite {composite.name}: "
                                  f"{part.row} does not match {foreign[0]} (its ops: {', '.join(row.ops) or 'none'})",
                                  composite.file)


def _validate_references(ruleset: RuleSet) -> None:
    _validate_composites(ruleset)
    for op in ruleset.operators.values():
        for march, (path, block) in op.blocks.items():
            target = block.get("same_as")
            if target is not None and target not in ruleset.operators:
                raise QcheckError(f"line {line_of(block)}: {op.name} on {march}: same_as names "
                                  f"{target!r}, which is not an operator of the rule files", path)
    try:
        for march in ruleset.marches:
            for name in ruleset.operators:
                ruleset.rule(name, march)  # resolve now, so a cycle or bad drop fails at load
    except RecursionError:
        raise QcheckError("same_as references nest too deeply; point same_as at the row that has the rule",
                          ruleset.files[-1] if ruleset.files else None) from None


def _raw_block(ruleset: RuleSet, op: Operator, march: str) -> tuple[str, dict] | None:
    """The block that applies: the march's own, else the one of the march it extends."""
    current: str | None = march
    while current is not None:
        if current in op.blocks:
            return op.blocks[current]
        current = ruleset.marches[current].extends
    return None


def _resolve(ruleset: RuleSet, name: str, march: str, seen: tuple[str, ...]) -> MarchRule:
    op = ruleset.operators[name]
    if name in seen:
        raise QcheckError(f"same_as references loop: {' -> '.join(seen + (name,))}", op.file)
    found = _raw_block(ruleset, op, march)
    if found is None:
        return MarchRule(march, False, [_unsupported(ruleset, op, march, None, op.file, op.line)],
                         note="the rule files say nothing about this march")
    owner = _block_owner(ruleset, op, march)
    path, block = found
    parent_march = ruleset.marches[march].extends
    if owner != march and block.get("inherit") and parent_march:
        # The block of an ancestor that inherits: this march is its parent's rule re-issued, plus
        # its own march-wide constraints (a march naming only its board and parent is valid).
        return _inherited(ruleset, op, march, _resolve(ruleset, name, parent_march, seen))
    # Otherwise the block (own, or an ancestor's plain or same_as one) is read on this march.
    rule = _resolve_block(ruleset, op, name, march, path, block, seen)
    for path, extension in op.extensions.get(owner, ()):
        if extension.get("supported") is True and not rule.supported:
            raise QcheckError(f"line {line_of(extension)}: {op.name} on {owner}: supported: true extends a row "
                              f"that is not supported on {owner}; write replace: true with the whole rule",
                              path)
        rule = _merge(ruleset, op, march, rule, path, extension)
    return rule


def _block_owner(ruleset: RuleSet, op: Operator, march: str) -> str | None:
    """The march whose block applies on `march`: its own, else the nearest ancestor's."""
    current: str | None = march
    while current is not None and current not in op.blocks:
        current = ruleset.marches[current].extends
    return current


def _inherited(ruleset: RuleSet, op: Operator, march: str, base: MarchRule) -> MarchRule:
    if not base.supported:
        return MarchRule(march, False, [_unsupported(ruleset, op, march, None, op.file, op.line)],
                         base.output, base.via, note=base.note)
    constraints = [_rebind(c, op, march, via=c.via) for c in base.constraints]
    have = {c.id.rsplit(".", 1)[-1] for c in constraints}
    constraints += [_constraint(op, march, item, ruleset.marches[march].file)
                    for item in ruleset.marches[march].constraints if item["id"] not in have]
    return MarchRule(march, True, constraints, base.output, base.via, note=base.note)


def _resolve_block(ruleset: RuleSet, op: Operator, name: str, march: str, path: str, block: dict,
                   seen: tuple[str, ...]) -> MarchRule:
    parent_march = ruleset.marches[march].extends
    if block.get("inherit") and parent_march:
        base = _resolve(ruleset, name, parent_march, seen)
        return _merge(ruleset, op, march, base, path, block)
    if block.get("same_as"):
        target = _resolve(ruleset, block["same_as"], march, seen + (name,))
        drop = set(block.get("drop") or [])
        unknown = drop - {c.id.rsplit(".", 1)[-1] for c in target.constraints}
        if unknown:
            raise QcheckError(f"line {line_of(block)}: {op.name} on {march}: drop names "
                              f"{sorted(unknown)[0]!r}, which {block['same_as']} does not have", path)
        constraints = [_rebind(c, op, march, via=c.via or block["same_as"]) for c in target.constraints
                       if c.id.rsplit(".", 1)[-1] not in drop]
        return MarchRule(march, target.supported, constraints, target.output,
                         via=block["same_as"], note=block.get("note") or target.note)
    if block.get("supported") is False:
        return MarchRule(march, False, [_unsupported(ruleset, op, march, block, path, line_of(block))],
                         note=block.get("note"))
    constraints = _dtype_constraints(op, march, block, path)
    constraints += [_constraint(op, march, item, path) for item in block.get("constraints") or []]
    drop = set(block.get("drop") or [])
    defaults = _march_defaults(ruleset, march)
    unknown = drop - {item["id"] for item in defaults} - {c.id.rsplit(".", 1)[-1] for c in constraints}
    if unknown:
        raise QcheckError(f"line {line_of(block)}: {op.name} on {march}: drop names "
                          f"{sorted(unknown)[0]!r}, which is not a constraint of {march}", path)
    own = {c.id.rsplit(".", 1)[-1] for c in constraints}
    constraints += [_constraint(op, march, item, ruleset.marches[m].file)
                    for m, item in _march_defaults_with_owner(ruleset, march)
                    if item["id"] not in drop and item["id"] not in own]
    return MarchRule(march, True, constraints, block.get("output"), note=block.get("note"))


def _march_defaults_with_owner(ruleset: RuleSet, march: str) -> list[tuple[str, dict]]:
    """The march-wide constraints of `march` and the marches it extends."""
    found = []
    current: str | None = march
    while current is not None:
        found.extend((current, item) for item in ruleset.marches[current].constraints)
        current = ruleset.marches[current].extends
    return found


def _march_defaults(ruleset: RuleSet, march: str) -> list[dict]:
    return [item for _, item in _march_defaults_with_owner(ruleset, march)]


def _merge(ruleset: RuleSet, op: Operator, march: str, base: MarchRule, path: str, block: dict) -> MarchRule:
    drop = set(block.get("drop") or [])
    own = {c["id"]: _constraint(op, march, c, path) for c in block.get("constraints") or []}
    known = {c.id.rsplit(".", 1)[-1] for c in base.constraints}
    missing = drop - known
    if missing:
        raise QcheckError(f"line {line_of(block)}: {op.name} on {march}: drop names "
                          f"{sorted(missing)[0]!r}, which {base.march} does not have", path)
    merged = []
    for c in base.constraints:
        short = c.id.rsplit(".", 1)[-1]
        if short in drop:
            continue
        merged.append(own.pop(short) if short in own else _rebind(c, op, march, via=c.via))
    dtype_overrides = _dtype_constraints(op, march, block, path)
    overridden = {c.id for c in dtype_overrides}
    merged = [c for c in merged if c.id not in overridden] + dtype_overrides + list(own.values())
    supported = block.get("supported", base.supported)
    if supported is False:
        merged = [_unsupported(ruleset, op, march, block, path, line_of(block))]
    return MarchRule(march, supported, merged, block.get("output", base.output), base.via,
                     note=block.get("note") or base.note)


def _rebind(c: Constraint, op: Operator, march: str, via: str | None) -> Constraint:
    """A constraint of another row or march, re-issued under this operator and march."""
    from dataclasses import replace

    short = c.id.rsplit(".", 1)[-1]
    return replace(c, id=f"{march}.{op.id}.{short}", march=march, operator=op.name, via=via)


def _dtype_constraints(op: Operator, march: str, block: dict, path: str) -> list[Constraint]:
    found = []
    for role in DTYPE_ROLES:
        spec = block.get(role)
        if spec is None or spec == "same":
            continue
        # A list covers every tensor of the role; a mapping names arguments (or output indexes).
        parts = spec.items() if isinstance(spec, dict) else [(None, spec)]
        for arg, allowed in parts:
            if allowed == "same":
                continue
            label = role if arg is None else f"{role} {arg}"
            short = f"{role}_dtype" if arg is None else f"{role}_{arg}_dtype"
            found.append(Constraint(
                id=f"{march}.{op.id}.{short}", march=march, operator=op.name, kind="dtype",
                says=f"{label} dtype must be one of {', '.join(allowed)}",
                role=role if arg is None else f"{role}:{arg}", allowed=tuple(allowed),
                file=path, line=line_of(block)))
    return found


def _constraint(op: Operator, march: str, item: dict, path: str) -> Constraint:
    check = expr.parse(item["check"], set(FACTS)) if item.get("check") is not None else None
    when = expr.parse(item["when"], set(FACTS)) if item.get("when") is not None else None
    judged = readings.fields(item, set(FACTS), check, "expr" if check is not None else "static")
    return Constraint(
        id=f"{march}.{op.id}.{item['id']}", march=march, operator=op.name, says=item["says"].strip(),
        severity=item.get("severity", "error"), when=when, advice=item.get("advice"),
        note=item.get("note"), table=item.get("table"), file=path, line=line_of(item), **judged)


def _unsupported(ruleset: RuleSet, op: Operator, march: str, block: dict | None, path: str,
                 line: int) -> Constraint:
    elsewhere = [m for m in ruleset.marches if m != march and _supported_on(ruleset, op, m)]
    says = f"{op.name} is not supported on {march}"
    if elsewhere:
        says += f" (supported on {', '.join(elsewhere)})"
    advice = (block or {}).get("advice") or "replace it with a supported operator or run it on the CPU " \
        "(put it after a DeQuantStub)"
    return Constraint(id=f"{march}.{op.id}.supported", march=march, operator=op.name, kind="unsupported",
                      says=says, advice=advice, note=(block or {}).get("note"), file=path, line=line)


def _supported_on(ruleset: RuleSet, op: Operator, march: str, depth: int = 0) -> bool:
    owner = _block_owner(ruleset, op, march)
    if owner is None or depth > 20:
        return False
    for _, extension in reversed(op.extensions.get(owner, ())):
        if "supported" in extension:
            return bool(extension["supported"])
    block = op.blocks[owner][1]
    if block.get("inherit") and ruleset.marches[march].extends:
        if "supported" in block and owner == march:
            return bool(block["supported"])
        return _supported_on(ruleset, op, ruleset.marches[march].extends, depth + 1)
    if block.get("same_as") in ruleset.operators:
        return _supported_on(ruleset, ruleset.operators[block["same_as"]], march, depth + 1)
    return block.get("supported", True) is not False
