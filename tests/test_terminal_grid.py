"""The terminal report's table (qcheck/render/grid.py): it fits the terminal, loses no text when
it wraps, and measures wide characters as rich does."""

from __future__ import annotations

import io
import os
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from qcheck.api import check
from qcheck.options import Options
from qcheck.render import render
from qcheck.render.grid import Column, Grid, _wrap
from qcheck.capture import InputSpec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BORDERS = re.compile(r"[┏┓┗┛┡┩┃│┳╇┴━─└┘]")


def _words(text: str) -> list[str]:
    return BORDERS.sub(" ", text).split()


@given(st.text(alphabet="ab c.-_\n", max_size=200), st.integers(min_value=1, max_value=40))
@settings(max_examples=300, deadline=None)
def test_wrapped_lines_fit_and_keep_every_character(text, width):
    spans = _wrap(text, width)
    assert all(0 <= end - start <= width for start, end in spans)
    kept = "".join(text[start:end] for start, end in spans)
    assert "".join(kept.split()) == "".join(text.split())
    assert [text[s:e] for s, e in spans if "\n" in text[s:e]] == []  # a line never spans a newline


def test_real_report_fits_every_width_and_keeps_every_finding():
    # The seed Net fed from the pyramid breaks the QuantStub scale rule on bernoulli2: findings
    # with advice, long enough to wrap.
    options = Options(march="bernoulli2", input_source="pyramid", inputs=[InputSpec((1, 1, 28, 28))])
    report = check(os.path.join(ROOT, "examples", "seed_net.py") + ":Net", options)
    findings = [f for layer in report.layers for f in layer.findings]
    assert findings
    for width in (100, 140, 200):
        text = render(report, "rich", width=width)
        assert max(cell_len(line) for line in text.splitlines()) <= width
        words = " ".join(_words(text))
        for finding in findings:
            # A long word may be folded across lines: compare without the spaces wrapping added.
            assert "".join(finding.message.split())[:60] in "".join(words.split())


def test_wide_characters_are_measured_in_cells():
    grid = Grid([Column("layer", max_width=12), Column("op", wrap=False)])
    grid.add_row("骨干网络.卷积层一号.第二分支", "torch.nn.Conv2d")
    buffer = io.StringIO()
    Console(file=buffer, width=60).print(grid)
    lines = buffer.getvalue().splitlines()
    assert {cell_len(line) for line in lines} == {cell_len(lines[0])}  # every row as wide as the rules
    assert "骨干网络" in buffer.getvalue()


def test_styled_pieces_keep_their_style_across_a_wrap():
    grid = Grid([Column("findings", max_width=10)])
    grid.add_row([("✗ ", "red"), ("bayes.conv2d.kernel", "bold"), (": too big", None)])
    buffer = io.StringIO()
    Console(file=buffer, width=40, force_terminal=True, color_system="standard").print(grid)
    out = buffer.getvalue()
    assert "\x1b[1mbayes.conv\x1b[0m" in out and "\x1b[1m2d.kernel" in out  # bold on both halves
    assert "\x1b[31m✗\x1b[0m" in out


def test_plain_cells_are_not_read_as_markup():
    grid = Grid([Column("layer")])
    grid.add_row("blocks[bold]0[/bold]")
    buffer = io.StringIO()
    Console(file=buffer, width=40).print(grid)
    assert "blocks[bold]0[/bold]" in buffer.getvalue()
