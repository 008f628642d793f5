"""One judged limit of one operator on one march: the record both flows' rule loaders build
(qcheck.rules for the PyTorch table, qcheck.onnx.rules for the ONNX lists). Its own module so the
ONNX check does not import the PyTorch table's loader."""

from __future__ import annotations

from dataclasses import dataclass

from qcheck import expr


@dataclass(frozen=True)
class Reading:
    """One way to read an ambiguous table cell, as a check of its own."""

    name: str  # lower_snake_case, unique within the constraint
    check: expr.Expr
    says: str  # the reading in one sentence
    source: str | None = None  # where this reading comes from (a document, a row)


@dataclass(frozen=True)
class Constraint:
    id: str  # stable: "bayes.conv2d.kernel"
    march: str
    operator: str  # table name of the row that owns it
    kind: str  # "expr" | "dtype" | "unsupported" | "static"
    says: str  # one sentence with its limits: the finding's message and the docs' text
    severity: str = "error"
    check: expr.Expr | None = None
    when: expr.Expr | None = None
    role: str | None = None  # dtype constraints: input | weight | bias | output | an argument name
    allowed: tuple[str, ...] = ()  # dtype constraints: allowed dtypes ("same" = as the input)
    advice: str | None = None
    note: str | None = None
    table: str | None = None  # the table text this encodes
    via: str | None = None  # "参考 X": the row whose rule this is
    file: str = ""
    line: int = 0
    # An ambiguous cell read two or more ways. Settled (a document decides): `check` is the
    # settled reading's and the others are on record only. Unsettled (kind "readings"): every
    # reading is judged; the layer fails only when it breaks all of them, and gets a warning
    # naming the broken ones when it breaks some.
    readings: tuple[Reading, ...] = ()
    settled_by: str | None = None  # the reading a document settles on
    settled_source: str | None = None  # that document
    unsettled: str | None = None  # why no document settles it

    @property
    def judged(self) -> tuple[expr.Expr, ...]:
        """The expressions judging a layer reads: the condition, the check, unsettled readings."""
        found = tuple(e for e in (self.when, self.check) if e is not None)
        if self.kind == "readings":
            found += tuple(r.check for r in self.readings)
        return found
