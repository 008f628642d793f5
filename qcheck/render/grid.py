"""A light table for the terminal report, drawn line by line.

rich's Table lays out every cell through its measuring and wrapping engine: about 0.5 ms per
row (1 ms with findings), which was most of a cached re-check and 1.6 s of a 1,800-layer model.
Report cells are short strings or a few styled pieces; this grid measures them as strings, wraps
the ones that do not fit by offsets, and hands rich finished segments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Union

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

# A cell: a plain string (never read as markup) or styled pieces [(text, style name or None)].
Pieces = list[tuple[str, Union[str, None]]]
Cell = Union[str, Pieces]

# top, header row, header rule, body row, bottom: (left, fill, joint, right); rich's HEAVY_HEAD look
_BOX = (("┏", "━", "┳", "┓"), ("┃", " ", "┃", "┃"), ("┡", "━", "╇", "┩"), ("│", " ", "│", "│"),
        ("└", "─", "┴", "┘"))
_ASCII_BOX = (("+", "-", "+", "+"), ("|", " ", "|", "|"), ("+", "-", "+", "+"), ("|", " ", "|", "|"),
              ("+", "-", "+", "+"))
# When the rows do not fit, the widest wrapping column narrows first, down to 16 cells (or its
# min_width), then, if that is not enough, to 8.
_FIRST_FLOOR, _LAST_FLOOR = 16, 8
_WORD = re.compile(r"\S+\s*")

Line = tuple[list[Segment], int]  # a cell's display line: its segments and the cells they use


@dataclass
class Column:
    header: str
    max_width: int | None = None
    min_width: int = 0
    wrap: bool = True  # False: never wrapped (op names, statuses)
    right: bool = False  # right-justified (numbers)


class Grid:
    """Rows of cells under a title; a rich renderable."""

    def __init__(self, columns: list[Column], title: str | None = None, boxed: bool = True,
                 show_header: bool = True):
        self.columns = columns
        self.title = title
        self.boxed = boxed
        self.show_header = show_header
        self.rows: list[list[Cell]] = []

    def add_row(self, *cells: Cell) -> None:
        self.rows.append(list(cells))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        widths = self._widths(options.max_width)
        box = (_ASCII_BOX if options.ascii_only else _BOX) if self.boxed else None
        styles: dict[str, Style] = {}
        newline = Segment.line()
        if self.title:
            yield Segment(self.title, console.get_style("italic"))
            yield newline
        header = [[(c.header, "bold")] for c in self.columns] if self.show_header else None
        if box:
            yield Segment(_rule(box[0], widths))
            yield newline
            if header:
                yield from self._row(header, widths, box[1], console, styles)
                yield Segment(_rule(box[2], widths))
                yield newline
        elif header:
            yield from self._row(header, widths, None, console, styles)
        for row in self.rows:
            yield from self._row(row, widths, box[3] if box else None, console, styles)
        if box:
            yield Segment(_rule(box[4], widths))
            yield newline

    def _widths(self, available: int) -> list[int]:
        widths = []
        for index, column in enumerate(self.columns):
            width = cell_len(column.header) if self.show_header else 0
            for row in self.rows:
                width = max(width, _width(_plain(row[index])))
            if column.max_width is not None:
                width = min(width, column.max_width)
            widths.append(max(width, column.min_width, 1))
        # Borders and one space of padding on each side of every cell.
        excess = sum(widths) + (3 * len(widths) + 1 if self.boxed else 2 * len(widths)) - available
        stages = [{i: max(c.min_width, _FIRST_FLOOR) for i, c in enumerate(self.columns) if c.wrap},
                  {i: _LAST_FLOOR for i, c in enumerate(self.columns) if c.wrap}]
        for floors in stages:
            while excess > 0:  # narrow the widest column of the stage, one cell at a time
                candidates = [i for i, floor in floors.items() if widths[i] > floor]
                if not candidates:
                    break
                widest = max(candidates, key=lambda i: widths[i])
                widths[widest] -= 1
                excess -= 1
        return widths

    def _row(self, cells: list[Cell], widths: list[int], box, console: Console,
             styles: dict[str, Style]) -> Iterable[Segment]:
        lines = [_lines(cell, width, column.wrap, console, styles)
                 for cell, width, column in zip(cells, widths, self.columns)]
        last = len(widths) - 1
        for index in range(max(len(cell_lines) for cell_lines in lines)):
            # Unstyled text is gathered into one segment: rich's cost is per segment.
            plain = [f"{box[0]} " if box else " "]
            for position, (cell_lines, width, column) in enumerate(zip(lines, widths, self.columns)):
                if position:
                    plain.append(f" {box[2]} " if box else "  ")
                segments, used = cell_lines[index] if index < len(cell_lines) else ([], 0)
                pad = " " * (width - used)
                if column.right:
                    plain.append(pad)
                for segment in segments:
                    if segment.style is None:
                        plain.append(segment.text)
                        continue
                    yield Segment("".join(plain))
                    plain = []
                    yield segment
                if not column.right and (box or position < last):  # no trailing blanks
                    plain.append(pad)
            if box:
                plain.append(f" {box[3]}")
            plain.append("\n")
            yield Segment("".join(plain))


def _rule(parts: tuple[str, str, str, str], widths: list[int]) -> str:
    left, fill, joint, right = parts
    return left + joint.join(fill * (w + 2) for w in widths) + right


def _plain(cell: Cell) -> str:
    return cell if isinstance(cell, str) else "".join(text for text, _ in cell)


def _width(plain: str) -> int:
    if "\n" in plain:
        return max(cell_len(line) for line in plain.split("\n"))
    return cell_len(plain)


def _lines(cell: Cell, width: int, wrap: bool, console: Console, styles: dict[str, Style]) -> list[Line]:
    """The cell as display lines, wrapped at spaces to `width` (a longer word is folded)."""
    pieces: Pieces = [(cell, None)] if isinstance(cell, str) else cell
    plain = _plain(cell)
    if not plain:
        return [([], 0)]
    if cell_len(plain) != len(plain):  # wide characters (CJK): rich's own wrapping measures them
        return _rich_lines(pieces, width, wrap, console)
    spans = _wrap(plain, width) if wrap else _paragraphs(plain)
    return [(_slice(pieces, start, end, console, styles), end - start) for start, end in spans]


def _paragraphs(plain: str) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for paragraph in plain.split("\n"):
        spans.append((offset, offset + len(paragraph)))
        offset += len(paragraph) + 1
    return spans


def _wrap(plain: str, width: int) -> list[tuple[int, int]]:
    """(start, end) offsets of each line: greedy, breaking at spaces, keeping a paragraph's indent."""
    spans: list[tuple[int, int]] = []
    for offset, stop in _paragraphs(plain):
        start = end = None
        first = True
        for match in _WORD.finditer(plain, offset, stop):
            word_end = match.start() + len(match.group().rstrip())
            if start is not None and word_end - start > width:
                spans.append((start, end))
                start = None
            if start is None:
                start, first = (offset if first else match.start()), False
                while word_end - start > width:  # longer than a line: folded
                    spans.append((start, start + width))
                    start += width
            end = word_end
        spans.append((start, end) if start is not None else (offset, offset))
    return spans


def _slice(pieces: Pieces, start: int, end: int, console: Console, styles: dict[str, Style]) -> list[Segment]:
    segments, offset = [], 0
    for text, style in pieces:
        low, high = max(start, offset), min(end, offset + len(text))
        if low < high:
            segments.append(Segment(text[low - offset:high - offset], _style(style, console, styles)))
        offset += len(text)
        if offset >= end:
            break
    return segments


def _style(name: str | None, console: Console, styles: dict[str, Style]) -> Style | None:
    if name is None:
        return None
    style = styles.get(name)
    if style is None:
        style = styles[name] = console.get_style(name)
    return style


def _rich_lines(pieces: Pieces, width: int, wrap: bool, console: Console) -> list[Line]:
    text = Text()
    for part, style in pieces:
        text.append(part, style=style)
    wrapped = text.wrap(console, width, overflow="fold") if wrap else text.split("\n")
    for line in wrapped:
        line.rstrip()  # the space a line was broken at
    return [(list(line.render(console)), line.cell_len) for line in wrapped] or [([], 0)]
