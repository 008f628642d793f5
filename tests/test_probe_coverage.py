"""Coverage of the support table by probes, measured: every constraint id needs an ok probe at
its limit and a fail probe just past it. Exceptions are kinds of constraint that cannot fire or
cannot pass under any model, each with its reason."""

from __future__ import annotations

from tests.probes import all_probes


def _torchvision_missing() -> bool:
    import importlib.util

    return importlib.util.find_spec("torchvision") is None


# Limits of the table that torchvision's own API keeps, so that no model can break them: a
# RoIAlign pools exactly one feature map (feature number 1), and MultiScaleRoIAlign takes its
# boxes only as List[Tensor] and converts them to rois itself. Their ok probes stay.
_KEPT_BY_TORCHVISION = {("roi_align", "feature_number"), ("multi_scale_roi_align", "box_format")}


def _needs(constraint, rules) -> tuple[bool, bool]:
    """(needs an ok probe, needs a fail probe)."""
    operator = rules.operators[constraint.operator]
    if not operator.ops and not operator.modules:
        # A Tensor-method twin of a torch function (x.abs() vs torch.abs(x)) traces to the same op
        # and is reported as the function row; nn.Identity leaves no node at all: their own
        # constraints cannot be observed.
        return False, False
    if operator.category == "torchvision" and _torchvision_missing():
        # torchvision's ops exist only where torchvision is installed (its wheel does not load
        # beside the CPU torch used here); tests/probes/torchvision.py runs where it does.
        return False, False
    if (operator.id, constraint.id.rsplit(".", 1)[-1]) in _KEPT_BY_TORCHVISION:
        return True, False
    if constraint.kind == "unsupported":
        return False, True  # there is no passing form of "not supported on this march"
    if constraint.kind == "static" and constraint.when is None:
        return False, True  # an unconditional warning (a lookup-table op) always fires
    if constraint.kind == "readings" and any(r.check.text == "False" for r in constraint.readings):
        return False, True  # a reading no model can meet (an op the torch table does not list): it always warns
    if constraint.kind == "dtype" and constraint.role.split(":")[0] in ("output", "weight", "bias"):
        # qcheck derives output dtypes from the table and uses the vendor's fixed weight (qint8)
        # and bias (qint32) dtypes, so for float and QAT models these can only pass.
        return True, False
    return True, True


def test_every_constraint_has_probes(rules, capsys):
    probes = all_probes()
    ok = {rule_id for p in probes for rule_id in p.ok}
    fail = {rule_id for p in probes for rule_id in p.fail}
    missing = []
    total = 0
    for constraint in rules.constraints():
        total += 1
        needs_ok, needs_fail = _needs(constraint, rules)
        if needs_ok and constraint.id not in ok:
            missing.append(f"{constraint.id}: no ok probe")
        if needs_fail and constraint.id not in fail:
            missing.append(f"{constraint.id}: no fail probe")
    unknown = sorted((ok | fail) - {c.id for c in rules.constraints()})
    exempt = [c.id for c in rules.constraints() if _needs(c, rules) == (False, False)]
    with capsys.disabled():
        observable = total - len(exempt)
        print(f"\nprobe coverage: {observable - len({m.split(':')[0] for m in missing})}/{observable} "
              f"observable constraints have the probes they need ({len(probes)} probes); "
              f"{len(exempt)} of {total} cannot be observed here "
              f"(Tensor-method twins, nn.Identity{', torchvision rows' if _torchvision_missing() else ''})")
    assert not unknown, f"probes name ids that no rule defines: {unknown[:20]}"
    assert not missing, f"{len(missing)} gaps, e.g.:\n" + "\n".join(missing[:40])


def test_every_reading_has_probes_at_and_past_its_limit(rules, capsys):
    """Each reading of an ambiguous cell, settled or not, is probed where it holds at its limit and
    where it is broken just past it; a reading written as True (no limit) or False (never met) can
    only be probed on its one side."""
    probes = all_probes()
    at = {label for p in probes for label in p.at}
    past = {label for p in probes for label in p.past}
    missing, total, probed = [], 0, 0
    for constraint in rules.constraints():
        if not constraint.readings or _needs(constraint, rules) == (False, False):
            continue
        for reading in constraint.readings:
            total += 1
            label = f"{constraint.id}:{reading.name}"
            gaps = []
            if reading.check.text != "False" and label not in at:
                gaps.append("no probe at its limit")
            if reading.check.text != "True" and label not in past:
                gaps.append("no probe past its limit")
            if gaps:
                missing.append(f"{label}: {', '.join(gaps)}")
            else:
                probed += 1
    readings_of = {f"{c.id}:{r.name}" for c in rules.constraints() for r in c.readings}
    unknown = sorted((at | past) - readings_of)
    with capsys.disabled():
        print(f"\nreading coverage: {probed}/{total} readings of ambiguous cells have their probes "
              f"(at the limit and past it)")
    assert not unknown, f"probes name readings that no rule defines: {unknown[:20]}"
    assert not missing, f"{len(missing)} gaps, e.g.:\n" + "\n".join(missing[:60])
