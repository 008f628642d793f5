"""Global side effects are opt-in (issue 17): the engine pauses the garbage collector only inside
`pausing_gc()`, which the CLI applies; a library call leaves the process's collector alone."""

from __future__ import annotations

import gc

from qcheck.api import check_graph
from qcheck.mapping import gc_paused, pausing_gc
from qcheck.options import Options
from tests.probes import all_probes
from tests.probes.run import capture_probe


def test_the_engine_pauses_the_collector_only_when_the_caller_opts_in(rules):
    seen = []
    probe = gc_paused(lambda: seen.append(gc.isenabled()))
    probe()
    with pausing_gc():
        probe()
        with pausing_gc():  # nested opt-ins
            probe()
        probe()
    probe()
    assert seen == [True, False, False, False, True] and gc.isenabled()


def test_a_library_check_leaves_the_collector_on_and_the_cli_path_pauses_it(rules, monkeypatch):
    """What the collector's state is while the engine collects a layer's facts, in a plain API call
    and inside pausing_gc() (as the CLI runs it)."""
    from qcheck import facts

    probe = next(p for p in all_probes() if p.name.startswith("conv2d"))
    graph = capture_probe(probe)
    states = []
    collect = facts.collect

    def watched(*args, **kwargs):
        states.append(gc.isenabled())
        return collect(*args, **kwargs)

    monkeypatch.setattr(facts, "collect", watched)
    check_graph(graph, probe.name, Options(march="bayes"), rules)
    assert states and all(states)
    states.clear()
    with pausing_gc():
        check_graph(graph, probe.name, Options(march="bayes"), rules)
    assert states and not any(states)
    assert gc.isenabled()
