"""Rule probes: tiny real nn.Modules that must pass or fail named constraints.

A probe is Semgrep's `ok:` / `ruleid:` idea for the support table. Each one is captured through
the real capture path (torch.export, or a saved TorchScript file) and checked on every march its
ids name; `ok` ids must not fire (and the constraint's operator must be recognised in the
model), `fail` ids must fire, and nothing else may: on each march a probe checks, the ids that
fire are exactly its `fail` ids plus its `also` ids, the findings its model gets beyond the probed
constraint (each with a comment saying which part of the model causes it), so an unexpected extra
finding fails the probe. `tests/test_probe_coverage.py` demands an ok and a fail probe for
every constraint id in `rules/`.

Write probes at the limit (ok) and just past it (fail): Conv2d kernel 31 passes, 32 fails.

A constraint that reads an ambiguous cell several ways (`readings:` in the rule file) needs a probe
at each reading's limit (`at`: the reading holds) and one just past it (`past`: it is broken),
named "MARCH.ROW.CONSTRAINT:READING". Such probes also state `findings`: per march, every finding
the probe's model must get and its severity, so "broken under one reading only" is seen to be a
warning and "broken under every reading" an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Probe:
    name: str
    build: Callable  # () -> nn.Module
    shapes: tuple[str, ...] | str  # "1x3x8x8" or one per input
    ok: tuple[str, ...] = ()
    fail: tuple[str, ...] = ()
    activation_dtype: str = "qint8"
    input_dtypes: tuple[str, ...] = ()
    input_source: str = "ddr"
    via: str = "export"  # "export" (eager capture) or "torchscript" (jit.trace, saved, loaded)
    at: tuple[str, ...] = ()  # "bayes.cat.hwc:per_dimension": the reading holds (the probe is at its limit)
    past: tuple[str, ...] = ()  # the reading is broken (the probe is just past its limit)
    # ids that must fire besides `fail`, not probed here: a helper layer's, or ones every use of the
    # probed row gets (a lookup-table op's precision warning)
    also: tuple[str, ...] = ()
    # march -> {rule id: severity}: the complete set of findings the model gets on that march
    findings: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    # A composite probe states every finding its composite layers must get, per march, as
    # "RULE@PART" (the part of the decomposition it is about); nothing else may fire on them.
    part_findings: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def input_shapes(self) -> tuple[str, ...]:
        return (self.shapes,) if isinstance(self.shapes, str) else tuple(self.shapes)


def as_tuple(ids) -> tuple[str, ...]:
    return (ids,) if isinstance(ids, str) else tuple(ids)


def probe(name: str, build: Callable, shapes, ok=(), fail=(), at=(), past=(), findings=None, also=(),
          **options) -> Probe:
    """Shorthand: `ok` / `fail` / `at` / `past` / `also` may be one id or a list of ids; `findings`
    a mapping {march: {rule id: severity}}."""
    frozen = tuple((march, tuple(sorted(found.items()))) for march, found in sorted((findings or {}).items()))
    return Probe(name, build, shapes, as_tuple(ok), as_tuple(fail), at=as_tuple(at), past=as_tuple(past),
                 findings=frozen, also=as_tuple(also), **options)


def composite_probe(name: str, build: Callable, shapes, findings: dict[str, list[str]], ok=(), also=(),
                    **options) -> Probe:
    """A probe of a composite op: `findings` is, per march, the complete set of findings its
    layer gets ("bayes.matmul.chw@scores"); their ids count as fail ids, `ok` ids as ok ids."""
    fail = tuple(dict.fromkeys(label.split("@", 1)[0] for labels in findings.values() for label in labels))
    exact = tuple((march, tuple(sorted(labels))) for march, labels in findings.items())
    return Probe(name, build, shapes, as_tuple(ok), fail, part_findings=exact, also=as_tuple(also), **options)


def on(*marches: str) -> Callable[[str], list[str]]:
    """`bayes_both = on("bayes", "bayes_e")`; `bayes_both("conv2d.kernel")` -> both marches' ids."""
    return lambda rest: [f"{m}.{rest}" for m in marches]


def all_probes() -> list[Probe]:
    """Every probe of every module in this package (modules define PROBES)."""
    import importlib
    import pkgutil

    import tests.probes as package

    found: list[Probe] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"tests.probes.{info.name}")
        found.extend(getattr(module, "PROBES", []))
    return found
