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
