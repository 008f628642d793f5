"""The vendor's ONNX operator lists as data: rules/onnx/*.yaml -> OnnxRuleSet.

A second operator vocabulary (ONNX op_type) over the same constraint language (qcheck.expr) and
the same Constraint records as the PyTorch table, so ids, `qcheck explain` and the generated docs
work alike. A row says where the op runs on a march (`placement`) and the BPU limits it must meet
to stay there; a node breaking them falls back to the CPU, as the vendor's converter does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from qcheck import expr, readings
from qcheck.constraint import Constraint
from qcheck.errors import QcheckError
from qcheck.paths import shipped_rules_dir
from qcheck.yamlfile import LineDict, Reader, line_of, load

MARCHES = {"bernoulli2": "RDK X3", "bayes": "RDK Ultra / J5", "bayes_e": "RDK X5"}
# bpu: on the BPU within its limits, else on the CPU | cpu: the CPU runs it | cpu_default: the CPU
# unless run_on_bpu names the node (then its BPU limits apply) | unsupported: neither runs it
# (the list's "CPU计算※", not integrated) | folded: constant-folded or removed by the converter.
PLACEMENTS = ("bpu", "cpu", "cpu_default", "unsupported", "folded")
GENERAL = "*"  # the row of the lists' general limits: every node the BPU runs must meet them
FACTS = {
    "rank": "rank of the first input", "out_rank": "rank of the first output",
    "N": "first input's N (4-D: N, C, H, W)", "C": "first input's C", "H": "first input's H",
    "W": "first input's W", "max_dim": "largest dimension of the first input",
    "first_dim": "first dimension of the first input",
    "out_C": "first output's C (4-D)", "kernel_h": "kernel height", "kernel_w": "kernel width",
    "stride_h": "stride along H", "stride_w": "stride along W", "pad_h": "largest padding along H",
    "pad_w": "largest padding along W", "dilation_h": "dilation along H", "dilation_w": "dilation along W",
    "group": "groups", "kernel_d": "3-D kernel's depth", "pad_d": "largest padding along D (3-D)",
    "dilation_d": "dilation along D (3-D)", "in_channels": "input channels", "out_channels": "output channels",
    "weight_size": "one filter's C/groups x H x W", "axis": "the axis attribute, made non-negative",
    "axes_count": "how many axes a reduction reduces over", "keepdims": "the keepdims attribute",
    "reduce_size": "size of the reduced axis", "mode": "the mode attribute",
    "scale_h": "Resize factor along H", "scale_w": "Resize factor along W",
    "resizes_nc": "whether Resize changes N or C",
    "const_inputs": "inputs that are constants (weights)", "a_rank": "MatMul A's rank",
    "b_rank": "MatMul B's rank", "mk_max": "largest of MatMul's two lowest dims", "batch_max":
    "largest MatMul dim above the two lowest", "broadcast_first": "the first dim is broadcast",
    "input_count": "number of inputs",
    "out_pad_h": "ConvTranspose output_padding along H", "out_pad_w": "ConvTranspose output_padding along W",
    "phase_kernel_size": "ConvTranspose: kernel taps one output phase reads (per stride phase, times C/groups)",
    "second_numel": "elements of the second input", "changed_dims": "dimensions where output and input differ",
    "indices_fit": "GatherElements: indices no larger than the data outside the axis",
    "tensor_n_max": "largest N of the node's 4-D feature maps (inputs and outputs)",
    "tensor_chw_max": "largest C, H or W of the node's 4-D feature maps",
    "tensor_elements_max": "largest N x C x H x W of the node's 4-D feature maps",
    "split_divides": "Split: the split axis' length is a multiple of every output's length",
    "sorted": "the sorted attribute", "aligned_8w4c": "4-D input's H x W x C with W padded to 8 and C to 4",
    "aligned_32c": "4-D input's H x W x C with C padded to 32",
    "reduces_hw": "a reduction over axes 2 and 3 exactly (H and W of a 4-D input)",
    "last_in_subgraph": "no BPU node reads the node's outputs (it ends its BPU subgraph)",
    "followed_by_add": "a Conv whose output an Add reads (a residual shortcut)",
    "feature_indices_int64": "Gather's indices are computed by another node (not a constant) and are int64",
    "is_model_output": "one of the node's outputs is a model output",
    "coordinate_mode": "Resize's coordinate_transformation_mode (half_pixel when not set)",
    "padding_mode": "GridSample's padding_mode (zeros when not set)",
    "conv3d_in_elements": "a 3-D convolution's input N x C x D x H x W",
    "conv3d_in_aligned": "a 3-D convolution's input H x alignCeil(W, 256) x D x C where D x C > 4096 (else 0)",
    "conv3d_out_elements": "a 3-D convolution's output N x C x D x H x W",
    "conv3d_out_aligned": "a 3-D convolution's output H x alignCeil(W, 256) x D x C where D x C > 4096 (else 0)",
    "roi_constant": "Resize's roi input is a constant (not computed by the model)",
    "roi_hw_only": "Resize's roi leaves N and C whole (start 0, end 1): it crops H and W only",
    "roi_whole_borders": "Resize's roi borders, start x (size - 1) and end x (size - 1) along H and W, are whole numbers",
    "blocksize": "the blocksize attribute (DepthToSpace, SpaceToDepth)",
    "pads_hw_only": "Pad pads only H and W of a 4-D input",
    "seq_batch": "the batch of a recurrent op's input X",
    "rest_max": "largest dimension of the first input after the first",
    "mutual_broadcast": "each of the two inputs is broadcast along some dimension",
    "merged_rank": "rank two broadcasting inputs reduce to (dims where the output is 1 dropped; adjacent dims merged when plain, or broadcast in the same input)",
    "merged_rank_strict": "rank two broadcasting inputs reduce to when only adjacent plain (not broadcast) dims merge",
    "matmul_x3_listed": "MatMul's input shapes are one of the X3 list's patterns (feature x weight, weight x feature, feature x feature)",
    "matmul_broadcast_ok": "MatMul's higher dims broadcast as listed (A all broadcast or none; B's plain dims the highest)",
    "broadcast_kind": "how the second input meets the first: same, channel (N x C x 1 x 1), scalar or other",
}
# What an unsettled cell (qcheck.readings) does to a node of the PTQ flow.
UNSETTLED_EFFECT = ("the node runs on the CPU only when it breaks every reading; breaking some keeps it on the "
                    "BPU with an info finding naming the reading under which it would move")
UNSETTLED_CELL = "the CPU only when all are broken, an info finding when some are"
_ROW_KEYS = {"op", "ops", "id", "vendor_type", "note", *MARCHES}
_BLOCK_KEYS = {"placement", "inherit", "constraints", "note", "advice", "table", "output_reshape"}
_CONSTRAINT_KEYS = {"id", "check", "when", "says", "advice", "note", "table", *readings.KEYS}


@dataclass
class OnnxRow:
    op: str  # ONNX op_type
    id: str
    march: str
    placement: str
    constraints: list[Constraint]
    vendor_type: str | None = None
    advice: str | None = None  # why it sits on the CPU / how to avoid it (cpu, unsupported rows)
    note: str | None = None
    table: str | None = None
    output_reshape: str | None = None  # the converter reshapes a non-4-D model output on the CPU: how to avoid it
    file: str = ""
    line: int = 0


@dataclass
class OnnxRuleSet:
    rows: dict[tuple[str, str], OnnxRow] = field(default_factory=dict)  # (op_type, march) -> row
    files: list[str] = field(default_factory=list)

    def row(self, op_type: str, march: str) -> OnnxRow | None:
        return self.rows.get((op_type, march))

    def constraints(self, march: str | None = None) -> list[Constraint]:
        return [c for (op, m), row in self.rows.items() if march in (None, m) for c in row.constraints]

    def placement_ids(self) -> list[str]:
        """Ids of the findings a row's placement gives (a CPU row, a not-integrated row)."""
        return [placement_id(row) for row in self.rows.values() if placement_id(row)]

    def find_constraint(self, rule_id: str) -> Constraint | None:
        return next((c for c in self.constraints() if c.id == rule_id), None)

    def find_row(self, rule_id: str) -> OnnxRow | None:
        return next((row for row in self.rows.values() if placement_id(row) == rule_id), None)


def placement_id(row: OnnxRow) -> str | None:
    suffix = {"cpu": "cpu", "cpu_default": "cpu_default", "unsupported": "unsupported"}.get(row.placement)
    return f"{row.march}.onnx.{row.id}.{suffix}" if suffix else None


def rules_dir() -> str:
    return os.path.join(shipped_rules_dir(), "onnx")


_cache: dict[tuple, OnnxRuleSet] = {}


def load_onnx_rules(extra: list[str] | None = None) -> OnnxRuleSet:
    folder = rules_dir()
    paths = sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".yaml"))
    key = tuple(paths + list(extra or []))
    if key not in _cache:
        ruleset = OnnxRuleSet()
        for path in key:
            _load_file(ruleset, path)
        _cache[key] = ruleset
    return _cache[key]


def _fail(path: str, where, message: str) -> QcheckError:
    return Reader(path).fail(where, message)


def _load_file(ruleset: OnnxRuleSet, path: str) -> None:
    data = load(path) or {}
    if not isinstance(data, dict) or set(data) - {"operators"}:
        raise _fail(path, data, "an ONNX rule file holds one key, operators: a list of rows")
    ruleset.files.append(path)
    for entry in data.get("operators") or []:
        if not isinstance(entry, dict):
            raise _fail(path, data, "each operator row must be a mapping")
        _known_keys(path, entry, _ROW_KEYS, "an ONNX row")
        ops = [entry["op"]] if "op" in entry else list(entry.get("ops") or [])
        if not ops or not all(isinstance(o, str) and o for o in ops):
            raise _fail(path, entry, "an ONNX row needs op: OpType (or ops: [OpType, ...])")
        for op in ops:
            op_id = entry.get("id") if "op" in entry else None
            op_id = op_id or _snake(op)
            blocks: dict[str, dict] = {}
            for march in MARCHES:  # file order of marches matters for inherit: resolve lazily
                if march in entry:
                    blocks[march] = entry[march]
            for march in MARCHES:
                block = _resolved_block(path, entry, blocks, march, ())
                if block is None:
                    continue
                ruleset.rows[(op, march)] = _row(path, entry, op, op_id, march, block)


def _snake(op: str) -> str:
    out = ""
    for i, ch in enumerate(op):
        if ch.isupper() and i and (not op[i - 1].isupper() or (i + 1 < len(op) and op[i + 1].islower())):
            out += "_"
        out += ch.lower()
    return out


def _resolved_block(path, entry, blocks, march, seen) -> dict | None:
    block = blocks.get(march)
    if block is None:
        return None
    if not isinstance(block, dict):
        raise _fail(path, entry, f"the {march} block must be a mapping")
    unknown = set(block) - _BLOCK_KEYS
    if unknown:
        raise _fail(path, block, f"unknown key {sorted(unknown)[0]!r} in the {march} block; allowed: "
                                 f"{', '.join(sorted(_BLOCK_KEYS))}")
    base_name = block.get("inherit")
    if base_name is None:
        return block
    if base_name not in MARCHES or base_name in seen or base_name == march:
        raise _fail(path, block, f"{march} inherits {base_name!r}: not another march of this row")
    base = _resolved_block(path, entry, blocks, base_name, seen + (march,))
    if base is None:
        raise _fail(path, block, f"{march} inherits {base_name}, which this row does not define")
    merged = {k: v for k, v in base.items() if k != "constraints"}
    merged.update({k: v for k, v in block.items() if k not in ("inherit", "constraints")})
    own = {c.get("id"): c for c in block.get("constraints") or [] if isinstance(c, dict)}
    # an inherited limit cites the base march's row; say that this march's row states it too
    # (an audit of the three lists found each inherited limit in the inheriting row)
    inherited = [own.pop(c.get("id"), _restated(c, march)) for c in base.get("constraints") or []]
    merged["constraints"] = [c for c in inherited if not c.get("drop")] + list(own.values())
    return merged


_LIST_NAMES = {"bernoulli2": "X3", "bayes": "Ultra", "bayes_e": "X5"}  # as the tables name the lists


def _restated(item: Any, march: str) -> Any:
    name = _LIST_NAMES[march]
    table = item.get("table") if isinstance(item, dict) else None
    if not isinstance(table, str) or name in table.replace(",", " ").split():
        return item
    restated = LineDict(item, table=f"{table}; the same in the {name} list")
    restated.line = line_of(item)
    return restated


def _row(path, entry, op, op_id, march, block) -> OnnxRow:
    placement = block.get("placement", "bpu")
    if placement not in PLACEMENTS:
        raise _fail(path, block, f"placement must be one of {', '.join(PLACEMENTS)}, not {placement!r}")
    constraints = []
    for item in block.get("constraints") or []:
        if not isinstance(item, dict):
            raise _fail(path, block, "each constraint must be a mapping")
        _known_keys(path, item, _CONSTRAINT_KEYS, "a constraint")
        cid, says = item.get("id"), item.get("says")
        if not isinstance(cid, str) or not isinstance(says, str) or ("check" not in item and "readings" not in item):
            raise _fail(path, item, "a constraint needs id, check (or readings) and says")
        reader = Reader(path, set(FACTS))
        readings.validate(reader, item, cid)
        check = reader.expression(item.get("check"), f"constraint {cid}", item)
        when = reader.expression(item.get("when"), f"constraint {cid}", item)
        constraints.append(Constraint(
            id=f"{march}.onnx.{op_id}.{cid}", march=march, operator=op, says=says.strip(),
            severity="warning", when=when, advice=item.get("advice"), note=item.get("note"),
            table=item.get("table"), file=path, line=line_of(item) or 0,
            **readings.fields(item, set(FACTS), check, "expr")))
    return OnnxRow(op=op, id=op_id, march=march, placement=placement, constraints=constraints,
                   vendor_type=entry.get("vendor_type"), advice=block.get("advice"),
                   note=block.get("note") or entry.get("note"), table=block.get("table"),
                   output_reshape=block.get("output_reshape"),
                   file=path, line=line_of(block) or line_of(entry) or 0)


def explain(rule_id: str, extra: list[str] | None = None) -> str | None:
    """`qcheck explain bayes_e.onnx.conv.kernel_size`: the constraint or placement, as text."""
    ruleset = load_onnx_rules(extra)
    c = ruleset.find_constraint(rule_id)
    if c is not None:
        row = ruleset.row(c.operator, c.march)
        operator = ("every node on the BPU (a general limit)" if c.operator == GENERAL
                    else f"ONNX {c.operator} (PTQ flow)")
        lines = [c.id, "", f"  {c.says}", "", f"  operator:  {operator}",
                 f"  march:     {c.march} ({MARCHES[c.march]})",
                 "  effect:    a node breaking it runs on the CPU, splitting the BPU part"]
        if c.check is not None:
            lines.append(f"  check:     {c.check.text}")
        if c.when is not None:
            lines.append(f"  when:      {c.when.text}")
        if row.placement == "cpu_default":
            lines.append("  applies:   when run_on_bpu (--run-on-bpu NODE) moves the node to the BPU")
        for label, value in (("table", c.table), ("advice", c.advice), ("note", c.note)):
            if value:
                lines.append(f"  {label + ':':<10} {' '.join(str(value).split())}")
        if c.readings:
            lines.extend(readings.explain_lines(c, UNSETTLED_EFFECT))
        lines.append(f"  defined:   {c.file}:{c.line}")
        return "\n".join(lines) + "\n"
    row = ruleset.find_row(rule_id)
    if row is None:
        return _explain_builtin(rule_id, ruleset)
    lines = [rule_id, "", f"  {placement_sentence(row)}", "", f"  operator:  ONNX {row.op} (PTQ flow)",
             f"  march:     {row.march} ({MARCHES[row.march]})"]
    for label, value in (("table", row.table), ("advice", row.advice), ("note", row.note)):
        if value:
            lines.append(f"  {label + ':':<10} {' '.join(str(value).split())}")
    lines.append(f"  defined:   {row.file}:{row.line}")
    return "\n".join(lines) + "\n"


def placement_sentence(row: OnnxRow) -> str:
    return {
        "cpu": f"{row.op} runs on the CPU on {row.march} (the vendor's list has no BPU implementation)",
        "cpu_default": f"{row.op} runs on the CPU on {row.march} unless run_on_bpu names the node",
        "unsupported": f"{row.op} is not supported on {row.march}: neither the BPU nor the CPU runs it",
        "bpu": f"{row.op} runs on the BPU on {row.march} within its limits",
        "folded": f"{row.op} is folded away by the converter on {row.march}",
    }[row.placement]


def markdown(ruleset: OnnxRuleSet | None = None) -> str:
    """docs/SUPPORTED_ONNX_OPS.md: every ONNX row per march, with its placement and limits."""
    ruleset = ruleset or load_onnx_rules()
    ops = sorted({op for op, _ in ruleset.rows if op != GENERAL})
    marches = list(MARCHES)
    lines = ["# ONNX operators (PTQ flow)", "",
             "Generated from `rules/onnx/*.yaml` by `qcheck.onnx.rules.markdown()`; do not edit by hand.",
             "Source: the vendor's ONNX operator lists (D-Robotics/rdk_doc, docs/07_Advanced_development/"
             "04_toolchain_development/intermediate/supported_op_list.md). A node breaking a BPU limit runs on "
             "the CPU; `qcheck explain ID` explains an id.", "",
             "| ONNX op | " + " | ".join(f"{m} ({MARCHES[m]})" for m in marches) + " |",
             "|---|" + "---|" * len(marches)]
    for op in ops:
        cells = []
        for march in marches:
            row = ruleset.row(op, march)
            if row is None:
                cells.append("not listed")
                continue
            text = {"bpu": "BPU", "cpu": "CPU", "cpu_default": "CPU (BPU via run_on_bpu)",
                    "unsupported": "not supported", "folded": "folded"}[row.placement]
            limits = "<br>".join(f"`{c.id.split('.')[-1]}`: {c.says}" + (
                readings.markdown_cell(readings.describe(c), UNSETTLED_CELL) if c.readings else "")
                for c in row.constraints)
            cells.append(text + (f"<br>{limits}" if limits and row.placement in ("bpu", "cpu_default") else ""))
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    lines += ["", "## General limits", "", "Every node the BPU runs must also meet these; one breaking them runs on the CPU.", ""]
    for march in marches:
        row = ruleset.row(GENERAL, march)
        for c in row.constraints if row else []:
            lines.append(f"- {march} (`{c.id}`): {c.says}")
    return "\n".join(lines) + "\n"


def _explain_builtin(rule_id: str, ruleset: OnnxRuleSet) -> str | None:
    """The model rules, the CI gates, an unlisted op and a row's output reshape."""
    from qcheck.onnx.check import MODEL_RULES

    march, _, rest = rule_id.partition(".onnx.")
    if rule_id in MODEL_RULES:
        says, advice = MODEL_RULES[rule_id]
        where = "CI gate of the PTQ flow" if ".gate." in rule_id else "model rule of the PTQ flow (every march)"
        return f"{rule_id}\n\n  {says}\n\n  kind:      {where}\n  advice:    {advice}\n"
    if march in MARCHES and rest == "unlisted":
        return (f"{rule_id}\n\n  an op that is not in the {march} ONNX list: neither the BPU nor the CPU runs it\n\n"
                f"  march:     {march} ({MARCHES[march]})\n  advice:    replace it with listed ops before export\n")
    op_id, _, what = rest.rpartition(".")
    if march in MARCHES and what == "output_reshape":
        row = next((r for r in ruleset.rows.values() if r.march == march and r.id == op_id and r.output_reshape), None)
        if row is not None:
            return (f"{rule_id}\n\n  the converter runs {row.op} as a 1x1 convolution on 4-D tensors; a reshape to "
                    f"a non-4-D model output after it runs on the CPU\n\n  march:     {march} ({MARCHES[march]})\n"
                    f"  advice:    {row.output_reshape}\n  defined:   {row.file}:{row.line}\n")
    return None


def _known_keys(path: str, item: dict, allowed, what: str) -> None:
    unknown = set(item) - set(allowed)
    if unknown:
        raise _fail(path, item, f"unknown key {sorted(unknown)[0]!r} in {what}; allowed: "
                                f"{', '.join(sorted(allowed))}")
