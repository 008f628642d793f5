"""Ambiguous table cells read two or more ways: a constraint's `readings:` in either flow's rule
files (validated and built here, for qcheck.rules and qcheck.onnx.rules alike), and how a layer
or node fares under each reading. Torch-free: the ONNX check uses it too."""

from __future__ import annotations

from typing import Any

from qcheck import expr
from qcheck.constraint import Constraint, Reading
from qcheck.yamlfile import Reader

KEYS = {"readings", "settled_by", "unsettled"}  # what a constraint item may add for readings
_READING_KEYS = {"name", "check", "says", "source"}
_SETTLED_KEYS = {"reading", "source"}


def validate(reader: Reader, item: dict, cid: str) -> None:
    """`readings:` with either `settled_by: {reading, source}` or `unsettled: why`."""
    if "readings" not in item:
        for key in ("settled_by", "unsettled"):
            if key in item:
                raise reader.fail(item, f"{key} of {cid} needs the readings it speaks of (a readings list)")
        return
    readings = item["readings"]
    if not isinstance(readings, list) or len(readings) < 2:
        raise reader.fail(item, f"readings of {cid} must be a list of at least two readings "
                                "(one reading is a plain check)")
    if "check" in item:
        raise reader.fail(item, f"{cid} has readings: its check is the settled reading's, so give no "
                                "check of its own")
    names = []
    for reading in readings:
        reading = reader.mapping(reading, f"a reading of {cid}", item)
        reader.keys(reading, _READING_KEYS, f"a reading of {cid}")
        name = reader.text(reading.get("name"), f"reading name in {cid}", reading, optional=False)
        if not name.replace("_", "").isalnum() or not name.islower():
            raise reader.fail(reading, f"reading name {name!r} in {cid} must be lower_snake_case")
        if name in names:
            raise reader.fail(reading, f"reading {name!r} appears twice in {cid}")
        names.append(name)
        if reading.get("check") is None:
            raise reader.fail(reading, f"reading {name} of {cid} needs a check")
        if isinstance(reading.get("check"), bool):
            reading["check"] = str(reading["check"])
        reader.expression(reading["check"], f"check of reading {name} of {cid}", reading)
        reader.text(reading.get("says"), f"says of reading {name} of {cid}", reading, optional=False)
        reader.text(reading.get("source"), f"source of reading {name} of {cid}", reading)
    settled, unsettled = item.get("settled_by"), item.get("unsettled")
    if (settled is None) == (unsettled is None):
        raise reader.fail(item, f"{cid} has readings: say which one a document settles on (settled_by: "
                                "{reading, source}) or why none does (unsettled: ...), exactly one of them")
    if settled is not None:
        settled = reader.mapping(settled, f"settled_by of {cid}", item)
        reader.keys(settled, _SETTLED_KEYS, f"settled_by of {cid}")
        chosen = reader.text(settled.get("reading"), f"settled_by.reading of {cid}", settled, optional=False)
        if chosen not in names:
            raise reader.fail(settled, f"settled_by of {cid} names reading {chosen!r}; its readings are "
                                       f"{', '.join(names)}")
        reader.text(settled.get("source"), f"settled_by.source of {cid} (the document that settles it)",
                    settled, optional=False)
    else:
        reader.text(unsettled, f"unsettled of {cid} (why no document settles it)", item, optional=False)


def fields(item: dict, facts: set[str], check: expr.Expr | None, kind: str) -> dict[str, Any]:
    """The Constraint keywords of a validated item: its own check and kind when it has no
    readings; else the settled reading's check (kind "expr"), or none (kind "readings": every
    reading judged)."""
    if not item.get("readings"):
        return {"check": check, "kind": kind}
    readings = tuple(Reading(name=r["name"].strip(), check=expr.parse(r["check"], facts),
                             says=r["says"].strip(), source=(r.get("source") or "").strip() or None)
                     for r in item["readings"])
    settled = item.get("settled_by") or {}
    chosen = next((r for r in readings if r.name == settled.get("reading")), None)
    return {"check": chosen.check if chosen else None, "kind": "expr" if chosen else "readings",
            "readings": readings, "settled_by": settled.get("reading"),
            "settled_source": (settled.get("source") or "").strip() or None,
            "unsettled": " ".join(str(item["unsettled"]).split()) if item.get("unsettled") else None}


def outcomes(constraint: Constraint, known: dict[str, Any]) -> dict[str, bool | None]:
    """Each reading of `constraint`: True when the layer meets it, False when it breaks it, None
    when a fact it needs is unknown for this layer."""
    found: dict[str, bool | None] = {}
    for reading in constraint.readings:
        try:
            found[reading.name] = bool(reading.check.evaluate(known))
        except expr.Unknown:
            found[reading.name] = None
    return found


def explain_lines(c: Constraint, effect: str) -> list[str]:
    """`qcheck explain` lines for a constraint's readings; `effect`: what an unsettled cell does
    to a layer or node of this flow."""
    if c.settled_by:
        lines = [f"  readings:  settled: {c.settled_by} (a vendor document decides; the others are not applied)",
                 f"             source: {' '.join((c.settled_source or '').split())}"]
    else:
        lines = [f"  readings:  unsettled (no vendor document decides): {effect}",
                 f"             why: {c.unsettled}"]
    for r in c.readings:
        state = ("applied" if r.name == c.settled_by else "not applied") if c.settled_by else "judged"
        lines.append(f"    - {r.name} ({state}): {r.says}")
        lines.append(f"        check:  {r.check.text}")
        if r.source:
            lines.append(f"        source: {' '.join(r.source.split())}")
    return lines


def describe(c: Constraint) -> dict:
    """A constraint's readings as data (`qcheck rules --format json`): which are judged, and what
    settles them (or why nothing does)."""
    return {"settled_by": c.settled_by, "source": c.settled_source, "unsettled": c.unsettled,
            "readings": [{"name": r.name, "check": r.check.text, "says": r.says, "source": r.source,
                          "judged": c.settled_by in (None, r.name)} for r in c.readings]}


def markdown_cell(described: dict, effect: str) -> str:
    """The readings in a few words, for a generated docs table (`described`: describe())."""
    names = [r["name"] for r in described["readings"]]
    if described["settled_by"]:
        others = ", ".join(f"`{n}`" for n in names if n != described["settled_by"])
        return f" (reading `{described['settled_by']}`, settled by a vendor document; not {others})"
    listed = ", ".join(f"`{n}`" for n in names)
    return f" (unsettled readings {listed}: {effect})"
