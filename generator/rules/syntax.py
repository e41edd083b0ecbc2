"""Line by line: what would reach a card as raw syntax or garbled text (Anki's braces outside cloze
sentences, tables, strikethrough, double-encoded umlauts), and Markdown nested so deep that the parser
stops reading."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from typing import Protocol

from generator.errors import Diagnostic, SourceLocation, error

# UTF-8 read as Latin-1 or Windows-1252: "ü" becomes "Ã¼", "„" becomes "â€ž".
MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc"
                      "\u2013-\u203a\u20ac\u2122]|â€|Â[\u00a0-\u00bf]")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
STRIKETHROUGH = re.compile(r"~~[^~\s][^~]*~~")
class Block(Protocol):  # what the parser's blocks offer (generator.source.markdown.Block)
    @property
    def type(self) -> str: ...
    @property
    def map(self) -> tuple[int, int] | None: ...
    @property
    def children(self) -> Sequence[Block]: ...


BRACES_HINT = ("`{{…}}` is Anki's cloze syntax: outside a cloze sentence under `## Lückentexte` it shows "
               "as raw braces; remove the braces, or write the sentence as a cloze note")


def line_problems(lines: list[str], path: str, skip: Collection[int] = (),
                  cloze_lines: Collection[int] = ()) -> Iterator[Diagnostic]:
    """Problems on the file's lines (0-based indices in `skip` are not looked at, `cloze_lines` may
    hold gaps)."""
    for index, line in enumerate(lines):
        if index in skip:
            continue
        where = SourceLocation(path, index + 1)
        if index not in cloze_lines and ("{{" in line or "}}" in line):
            yield error(where, "`{{` or `}}` outside a cloze sentence", BRACES_HINT)
        if found := MOJIBAKE.search(line):
            yield error(where, f"garbled umlauts (`{found.group()}`): the text was saved in one encoding "
                        "and read in another", "retype the umlauts and save the file as UTF-8")
        if TABLE_ROW.match(line) and not (index and TABLE_ROW.match(lines[index - 1])):  # once a table
            yield error(where, "tables are not supported: the row would show as raw text with `|`",
                          "write it as a list or as sentences")
        if STRIKETHROUGH.search(line):
            yield error(where, "strikethrough (`~~…~~`) is not supported: the tildes would show on the "
                          "card", "remove the tildes; say in words what is wrong")


def nesting_problem(line: int, path: str, levels: int) -> Diagnostic:
    return error(SourceLocation(path, line), f"Markdown nested more than {levels} levels deep: the parser "
                 "stops here and the rest of the file would be lost", "use fewer nested lists or quotes")


def nesting_title(where: SourceLocation, title: str) -> list[Diagnostic]:
    """Anki reads `::` in a deck name as a deck inside a deck: a title with it would nest a level."""
    if "::" not in title:
        return []
    return [error(where, f"`::` in the title „{title}“ would put the cards into an extra deck level",
                  "write the title without `::`, e.g. with a dash or a colon")]


def code_blocks(blocks: Sequence[Block], path: str) -> list[Diagnostic]:
    """Code blocks (``` fences or lines indented by four spaces): not part of the format, and a fence
    left open takes the rest of the file with it."""
    found = []
    for node in blocks:
        if node.type in ("fence", "code_block") and node.map:
            found.append(error(SourceLocation(path, node.map[0] + 1), "a code block (``` or a line indented "
                               f"by four spaces) is not supported: it takes lines {node.map[0] + 1} to "
                               f"{node.map[1]} as code", "remove the ``` lines or the indentation"))
        found += code_blocks(node.children, path)
    return found
