"""Replace one generated section of a docs page, between its begin and end markers (appended
under `heading` with `intro` the first time)."""

from __future__ import annotations


def write_section(page: str, name: str, text: str, heading: str, intro: str) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    content = open(page, encoding="utf-8").read()
    section = f"{begin}\n{text}\n{end}"
    if begin in content:
        head, _, rest = content.partition(begin)
        content = head + section + rest.partition(end)[2]
    else:
        content = content.rstrip("\n") + f"\n\n## {heading}\n\n{intro}\n\n{section}\n"
    with open(page, "w", encoding="utf-8") as handle:
        handle.write(content)
