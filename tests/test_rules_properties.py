"""Issue 8: property tests of the rule loader (qcheck.yamlfile + qcheck.rules).

Whatever a rule file holds (any text, any YAML document, any shape of data under the known keys),
loading it gives a RuleSet or raises QcheckError naming the file: no other exception, no hang.

The loader runs on a small base (the shipped marches.yaml plus a few operators defined here) so
hundreds of documents load in seconds; one test runs the full `load_rules` on fewer examples.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
import textwrap

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qcheck import rules, yamlfile
from qcheck.errors import QcheckError

SETTINGS = settings(max_examples=250, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

BASE_OPERATORS = textwrap.dedent("""\
    structural: [aten::size, aten::view]
    operators:
      - name: torch.nn.Conv2d
        id: conv2d
        category: torch.nn Module
        match:
          ops: [aten::conv2d]
          modules: [Conv2d]
          when: "rank == 4"
        bernoulli2:
          input: [qint8]
          output: [qint8, qint32]
        bayes:
          input: [qint8, qint16]
          output: {0: [qint8]}
          constraints:
            - id: kernel
              check: "kernel_h < 32 and kernel_w < 32"
              says: "kernel below 32"
            - id: precision
              when: "input_dtype == 'qint16'"
              says: "qint16 is slower"
              severity: warning
      - name: torch.acos
        id: acos
        match: {ops: [aten::acos]}
        bernoulli2: {supported: false}
        bayes:
          input: [qint8]
          output: same
      - name: torch.asin
        id: asin
        match: {ops: [aten::asin]}
        bernoulli2: {same_as: torch.acos}
        bayes: {same_as: torch.acos}
        bayes_e:
          inherit: true
          drop: [input_dtype]
""")

_FOLDER = tempfile.mkdtemp(prefix="qcheck-rules-properties-")
_BASE = os.path.join(_FOLDER, "base.yaml")
with open(_BASE, "w", encoding="utf-8") as _handle:
    _handle.write(BASE_OPERATORS)
_MARCHES = os.path.join(rules.shipped_rules_dir(), "marches.yaml")


def _load(path: str) -> rules.RuleSet:
    """load_rules over a small base: the same validation, a fraction of the time."""
    ruleset = rules.RuleSet(marches={}, operators={}, structural=set(), files=[])
    for base in (_MARCHES, _BASE):
        rules._load_file(ruleset, base, shipped=True)
    rules._load_file(ruleset, path, shipped=False)
    rules._validate_references(ruleset)
    return ruleset


def _write(content: bytes | str) -> str:
    handle, path = tempfile.mkstemp(suffix=".yaml", dir=_FOLDER)
    with os.fdopen(handle, "wb") as stream:
        stream.write(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    return path


class Hung(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Fail instead of hanging: a rule file must never make qcheck loop (extends cycles...)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise Hung(f"loading took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _loads_or_clean_error(content: bytes | str, loader=_load) -> rules.RuleSet | None:
    path = _write(content)
    try:
        with _time_limit(20):
            ruleset = loader(path)
            for march in ruleset.marches:  # a rule set that loaded can be used: all of it resolves
                ruleset.constraints(march)
    except QcheckError as error:
        assert path in str(error) or os.path.basename(path) in str(error) or error.path in (_MARCHES, _BASE), \
            f"the error does not name the rule file: {error}"
        return None
    finally:
        os.unlink(path)
    return ruleset


# ------------------------------------------------------------------------------------- strategies

MARCHES = ["bernoulli2", "bayes", "bayes_e", "x9", "bayes-e"]
OP_NAMES = ["torch.nn.Conv2d", "torch.acos", "torch.asin", "team.Block", "torch.nn.Nope"]
IDS = ["kernel", "precision", "input_dtype", "output_dtype", "team_limit", "Bad-Id", "input", "supported", ""]
DTYPES = ["qint8", "qint16", "qint32", "qbool", "int32", "float32", "same", "qint4", "float"]
EXPRESSIONS = ["kernel_h < 32", "rank == 4", "input_dtype == 'qint16'", "True", "kernel_x < 3",
               "__import__('os')", "x.y", "(", "mode in ('nearest',)", "prod(dims) <= 1024", "1 / 0", "",
               "not", "kernel_h <= (16 if is_model_output else 8)"]
KNOWN_KEYS = sorted(rules._TOP_KEYS | rules._OPERATOR_KEYS | rules._MATCH_KEYS | rules._BLOCK_KEYS
                    | rules._CONSTRAINT_KEYS | rules._MARCH_KEYS | set(MARCHES))

WORDS = st.sampled_from(MARCHES + OP_NAMES + IDS + DTYPES + EXPRESSIONS + KNOWN_KEYS
                        + ["aten::conv2d", "conv2d", "Conv2d", "yes", "no", "null", "~", "1e3"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12), WORDS)
KEYS = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=8), st.integers(-3, 3), st.booleans())
ANY = st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)), max_leaves=16)


def _or_any(strategy):
    return st.one_of(strategy, strategy, strategy, ANY)


def _maybe_junk(mapping_strategy):
    """Sometimes add a key the schema does not know."""
    return st.tuples(mapping_strategy, st.one_of(st.none(), st.tuples(KEYS, ANY))).map(
        lambda pair: {**pair[0], **({pair[1][0]: pair[1][1]} if pair[1] else {})})


DTYPE_SPEC = _or_any(st.one_of(st.lists(st.sampled_from(DTYPES), max_size=3), st.sampled_from(DTYPES),
                               st.dictionaries(st.one_of(st.integers(0, 2), st.sampled_from(["input", "grid"])),
                                               st.lists(st.sampled_from(DTYPES), max_size=2), max_size=2)))
CONSTRAINT = _maybe_junk(st.fixed_dictionaries({}, optional={
    "id": _or_any(st.sampled_from(IDS)), "check": _or_any(st.sampled_from(EXPRESSIONS)),
    "when": _or_any(st.sampled_from(EXPRESSIONS)), "says": _or_any(st.sampled_from(["a limit", ""])),
    "severity": _or_any(st.sampled_from(["error", "warning", "info", "fatal"])),
    "advice": _or_any(st.just("do this")), "note": _or_any(st.just("a note")), "table": _or_any(st.just("<=8"))}))
BLOCK = _maybe_junk(st.fixed_dictionaries({}, optional={
    "supported": _or_any(st.booleans()), "same_as": _or_any(st.sampled_from(OP_NAMES)),
    "inherit": _or_any(st.booleans()), "drop": _or_any(st.lists(st.sampled_from(IDS), max_size=3)),
    "note": _or_any(st.just("n")), "advice": _or_any(st.just("a")),
    "constraints": _or_any(st.lists(CONSTRAINT, max_size=3)),
    "input": DTYPE_SPEC, "weight": DTYPE_SPEC, "bias": DTYPE_SPEC, "output": DTYPE_SPEC}))
MATCH = _maybe_junk(st.fixed_dictionaries({}, optional={
    "ops": _or_any(st.lists(st.sampled_from(["aten::conv2d", "aten::acos", "conv2d", "quantized::add"]),
                            max_size=3)),
    "modules": _or_any(st.lists(st.sampled_from(["Conv2d", "Block"]), max_size=2)),
    "when": _or_any(st.sampled_from(EXPRESSIONS)), "module_only": _or_any(st.booleans())}))
OPERATOR = _maybe_junk(st.fixed_dictionaries({"name": _or_any(st.sampled_from(OP_NAMES))}, optional={
    "id": _or_any(st.sampled_from(["team_block", "conv2d", "acos", "Team", "asin2"])),
    "category": _or_any(st.just("team")), "eager": _or_any(st.just("horizon.nn.X")), "match": _or_any(MATCH),
    "group": _or_any(st.booleans()), "note": _or_any(st.just("n")),
    **{march: _or_any(BLOCK) for march in MARCHES}}))
MARCH = _maybe_junk(st.fixed_dictionaries({}, optional={
    "board": _or_any(st.just("RDK")), "extends": _or_any(st.sampled_from(MARCHES)),
    "aliases": _or_any(st.lists(st.sampled_from(["x3", "j5", "bayes-e"]), max_size=2)),
    "note": _or_any(st.just("n")), "constraints": _or_any(st.lists(CONSTRAINT, max_size=2)),
    "perf": _or_any(st.fixed_dictionaries({}, optional={"tops": ANY, "bandwidth_gbs": ANY, "source": ANY}))}))
DOCUMENT = st.one_of(
    _maybe_junk(st.fixed_dictionaries({}, optional={
        "marches": _or_any(st.dictionaries(st.sampled_from(MARCHES), MARCH, max_size=2)),
        "operators": _or_any(st.lists(OPERATOR, max_size=3)),
        "structural": _or_any(st.lists(st.sampled_from(["aten::size", "size", "prim::Constant"]), max_size=2)),
        "version": ANY})),
    ANY)


def _dump(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


# ----------------------------------------------------------------------------------------- tests


def test_the_base_loads():
    ruleset = _load(_write("operators: []\n"))
    assert {"torch.nn.Conv2d", "torch.acos", "torch.asin"} <= set(ruleset.operators)


@SETTINGS
@given(DOCUMENT)
@example({"marches": {"bayes": {"extends": "bayes_e"}}})
@example({"marches": {"bayes": {"extends": "bayes"}}})
@example({"marches": {"x9": {"extends": ["bayes"]}}})
@example({"operators": [{"name": "torch.nn.Conv2d", "bayes": {"constraints": [
    {"id": "kernel", "says": "s", "check": True}]}}]})
@example({"operators": [{"name": "torch.nn.Conv2d", "bayes": {"input": "qint8"}}]})
@example({"operators": [{"name": "torch.nn.Conv2d", "bayes": {"input": {"x": {"y": {"z": ["qint8"]}}}}}]})
@example({"operators": [{"name": "torch.nn.Conv2d", "bayes": {"drop": "kernel"}}]})
@example({"operators": [{"name": "torch.nn.Conv2d", "bayes": False}]})
@example({"operators": [{"name": "torch.asin", "bayes_e": {"inherit": "yes", "drop": ["input_dtype"]}}]})
def test_any_document_loads_or_fails_cleanly(document):
    _loads_or_clean_error(_dump(document))


@SETTINGS
@given(st.text(max_size=400))
@example("a: 2001-13-45")
@example("a: !!int abc")
@example("a: !!bool maybe")
@example("a: !!timestamp x")
@example("a: !!float x")
@example("a: !!binary '@@'")
@example("? [a]\n: 1")
@example("a: &x 1\nb: *x")
@example("a: 1\na: 2")
@example("[" * 3000)
@example("a: \"\\x00\"")
@example("!!python/object/apply:os.system ['true']")
def test_any_text_loads_or_fails_cleanly(text):
    _loads_or_clean_error(text)


@SETTINGS
@given(DOCUMENT, st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=3)), min_size=1,
                          max_size=4))
def test_corrupted_documents_load_or_fail_cleanly(document, edits):
    data = bytearray(_dump(document).encode("utf-8"))
    for position, replacement in edits:
        position %= len(data) + 1
        data[position:position + len(replacement)] = replacement
    _loads_or_clean_error(bytes(data))


@SETTINGS
@given(DOCUMENT)
def test_yamlfile_returns_plain_data_or_a_clean_error(document):
    path = _write(_dump(document))
    try:
        data = yamlfile.load(path)
    except QcheckError as error:
        assert error.path == path
        return
    finally:
        os.unlink(path)
    _assert_plain(data)


def _assert_plain(value):
    """Safe YAML gives data only: no object of any other type can come out of a rule file."""
    import datetime

    if isinstance(value, dict):
        for key, item in value.items():
            _assert_plain(key)
            _assert_plain(item)
    elif isinstance(value, list):
        for item in value:
            _assert_plain(item)
    else:
        assert value is None or isinstance(value, (bool, int, float, str, bytes, datetime.date)), type(value)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_the_full_load_rules_also_fails_cleanly(document):
    _loads_or_clean_error(_dump(document), loader=lambda path: rules.load_rules([path]))


@pytest.mark.parametrize("text", [
    "operators:\n  - name: torch.nn.Conv2d\n    bayes:\n      constraints:\n        - {id: k, says: s, check: true}\n",
    "operators:\n  - name: torch.nn.Conv2d\n    bayes:\n      input: qint8\n",
    "operators:\n  - name: torch.nn.Conv2d\n    bayes:\n      drop: kernel\n      replace: true\n"
    "      constraints: [{id: kernel, says: s}]\n",
])
def test_scalar_shorthands_mean_what_they_say(text):
    """`check: true`, `input: qint8` and `drop: kernel` are one value, not a crash or characters."""
    ruleset = _loads_or_clean_error(text)
    assert ruleset is not None
    rule = ruleset.rule("torch.nn.Conv2d", "bayes")
    for constraint in rule.constraints:
        assert all(len(dtype) > 1 for dtype in constraint.allowed), constraint
