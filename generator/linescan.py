"""A line scanner for the strict subset of Markdown the content format is written in: the Blocks
markdown-it would give, without its tokens (measured: a fifth of the time).

It accepts only files made of front matter, `#` to `###` headings, plain paragraphs, tight `- `
lists (continuation lines indented by two spaces) and `<!-- ... -->` comment lines. Anything
else (tabs, quotes, fences, setext underlines, lazy continuation lines, loose lists, other
markers, reference definitions, ...) makes `scan` return None: the caller then asks markdown-it.
tests/test_linescan.py checks on generated and perturbed files that whatever is accepted gives
exactly markdown-it's Blocks and markup diagnostics.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from generator.mdtree import Block, MarkupSource, block_parser

if TYPE_CHECKING:
    from markdown_it.token import Token

HEADING = re.compile(r"(#{1,3}) (\S(?:.*\S)?)")
COMMENT = re.compile(r"<!--.*-->")
# Starts that markdown-it may read as something else than paragraph text (lists, quotes, fences, HTML,
# references, setext underlines, tables); `*` and `[` are checked by `plain_line`.
SPECIAL_START = frozenset("#>-+=_`~<|*[ ")
ORDERED = re.compile(r"\d+[.)]")
TASK = re.compile(r"\[[ xX]\](?: |$)")
FORBIDDEN = ("\t", "\r", "\x00", "\x0c", "\x0b")


class _Unsupported(Exception):
    """The text leaves the strict subset: markdown-it must read it."""


def scan(text: str) -> tuple[list[Block], list[MarkupSource]] | None:
    """The Blocks and markup sources of `text` as `mdtree.read_blocks` gives them, or None if the
    text leaves the strict subset."""
    try:
        scanner = _Scanner(text)
        return scanner.blocks(), scanner.markup
    except _Unsupported:
        return None


def plain_line(text: str) -> bool:
    """A line of paragraph text that no block rule of markdown-it can claim."""
    if not text or text != text.strip():
        return False
    first = text[0]
    if first == "*":  # `*text*` and `**text**`, not a `* ` item or a `***` rule
        return text[1:2] not in ("", " ") and text.strip("* ") != ""
    if first == "[":
        return TASK.match(text) is not None  # never a reference definition (`[label]: …`)
    return first not in SPECIAL_START and ORDERED.match(text) is None


def _inline_tokens(content: str) -> tuple[Token, ...]:
    """Inline tokens where the markup checks can find something; without reference definitions
    (never in the subset) only HTML and autolinks ("<") and links and images ("](") are such."""
    if "<" not in content and "](" not in content:
        return ()
    tokens: list[Token] = []
    parser = block_parser()
    parser.inline.parse(content, parser, {}, tokens)
    return tuple(tokens)


class _Scanner:
    def __init__(self, src: str) -> None:
        if any(c in src for c in FORBIDDEN):
            raise _Unsupported
        self.lines = src.split("\n")
        self.trailing_newline = src.endswith("\n")
        if self.trailing_newline:
            self.lines.pop()
        self.markup: list[MarkupSource] = []

    def blocks(self) -> list[Block]:
        found, at = self._front_matter()
        while at < len(self.lines):
            block, at = self._block(at)
            if block is not None:
                found.append(block)
        return found

    def _front_matter(self) -> tuple[list[Block], int]:
        lines = self.lines
        if not lines or lines[0] != "---":
            raise _Unsupported
        for at in range(1, len(lines)):
            line = lines[at]
            if line == "---":
                return [Block("front_matter", (0, at + 1), content="\n".join(lines[1:at]))], at + 1
            if line.lstrip(" ").startswith(("---", "...")):
                raise _Unsupported
        raise _Unsupported

    def _block(self, at: int) -> tuple[Block | None, int]:
        line = self.lines[at]
        if not line:
            return None, at + 1
        heading = HEADING.fullmatch(line)
        if heading:
            if line.endswith("#") or heading[2] != heading[2].strip():
                raise _Unsupported
            return Block("heading", (at, at + 1), f"h{len(heading[1])}",
                         children=(self._inline(at, at + 1, heading[2]),)), at + 1
        if COMMENT.fullmatch(line):
            return self._html(at, line), at + 1
        if line.startswith("- "):
            return self._list(at)
        if plain_line(line):
            return self._paragraph(at)
        raise _Unsupported

    def _inline(self, start: int, end: int, content: str) -> Block:
        self.markup.append(MarkupSource(start + 1, content, False, _inline_tokens(content)))
        return Block("inline", (start, end), content=content)

    def _html(self, at: int, text: str) -> Block:
        newline = "\n" if at + 1 < len(self.lines) or self.trailing_newline else ""
        self.markup.append(MarkupSource(at + 1, text + newline, True))
        return Block("html_block", (at, at + 1), content=text + newline)

    def _paragraph(self, at: int) -> tuple[Block, int]:
        end = at + 1
        while end < len(self.lines) and self.lines[end]:
            if not plain_line(self.lines[end]):
                raise _Unsupported  # headings, lists, comments or indented lines right after text
            end += 1
        return self._paragraph_block(at, end, self.lines[at:end]), end

    def _paragraph_block(self, start: int, end: int, texts: list[str]) -> Block:
        return Block("paragraph", (start, end), "p", children=(self._inline(start, end, "\n".join(texts)),))

    def _list(self, start: int) -> tuple[Block, int]:
        items: list[tuple[int, int, tuple[Block, ...]]] = []
        at = start
        while at < len(self.lines) and self.lines[at].startswith("- "):
            end, children = self._item(at)
            items.append((at, end, children))
            at = end
        if at < len(self.lines):
            if self.lines[at]:
                raise _Unsupported  # lazy continuation or an interrupting block
            after = self._next_text(at)
            following = self.lines[after] if after < len(self.lines) else ""
            if following.startswith(("- ", " ")) or following == "-":
                raise _Unsupported  # a loose list or an item continued after a blank line
            last_start, _, last_children = items[-1]
            items[-1] = (last_start, after, last_children)  # the last item takes the blank lines after it
            at = after
        blocks = tuple(Block("list_item", (s, e), "li", children=c) for s, e, c in items)
        return Block("bullet_list", (start, at), "ul", children=blocks), at

    def _next_text(self, at: int) -> int:
        while at < len(self.lines) and not self.lines[at]:
            at += 1
        return at

    def _item(self, at: int) -> tuple[int, tuple[Block, ...]]:
        first = self.lines[at][2:]
        if not plain_line(first):
            raise _Unsupported
        children: list[Block] = []
        texts, start, end = [first], at, at + 1
        while end < len(self.lines) and self.lines[end].startswith("  "):
            text = self.lines[end][2:]
            if COMMENT.fullmatch(text):
                if texts:
                    children.append(self._paragraph_block(start, end, texts))
                children.append(self._html(end, text))
                texts, start = [], end + 1
            elif plain_line(text):
                texts.append(text)
            else:
                raise _Unsupported
            end += 1
        if texts:
            children.append(self._paragraph_block(start, end, texts))
        return end, tuple(children)
