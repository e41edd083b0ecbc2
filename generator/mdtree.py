"""Markdown blocks as the parse stage sees them: the configured MarkdownIt parsers, the Block tree and
the texts the markup checks look at.

Files in the strict subset of the content format are read by `linescan` (no tokens at all); any
other file by markdown-it, whose tree is turned into the same Blocks (tests/test_linescan.py checks
that both give the same Blocks and the same markup diagnostics).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token
    from markdown_it.tree import SyntaxTreeNode


# markdown-it is imported when first needed: a build of plain content never needs it (measured:
# 20 ms of the default deck's start-up).
@cache
def markdown() -> MarkdownIt:
    """The parser cards are rendered with; html=True: raw HTML is seen as HTML (and reported), not text."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark", {"html": True}).use(front_matter_plugin)


@cache
def block_parser() -> MarkdownIt:
    """`markdown()` for the parse stage: it reads the block structure and each block's raw text; of the
    inline tokens it needs only HTML, links and images (for markup diagnostics). Leaving out the rest
    halves parsing time."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    parser = MarkdownIt("commonmark", {"html": True}).use(front_matter_plugin)
    parser.core.ruler.at("inline", _inline_with_markup)
    return parser


def _inline_with_markup(state: StateCore) -> None:
    """markdown-it's core `inline` rule, run only on inline text that can contain HTML, links or images.

    Raw HTML and autolinks start with "<", links and images with "[" (linkify is off): text without
    either gives no token the markup checks look for.
    """
    for token in state.tokens:
        if token.type == "inline" and ("<" in token.content or "[" in token.content):
            if token.children is None:
                token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


KEY_COMMENT = re.compile(r"<!--\s*key:\s*(.*?)\s*-->")


class Block(NamedTuple):
    """A block of a Markdown file: markdown-it's node type, tag and 0-based line range [start, end).

    `content` is the raw text of leaves (front matter, HTML blocks, a heading's or paragraph's
    "inline" child); containers (lists, items, paragraphs, headings) have `children`. A NamedTuple,
    as MarkupSource: made by the hundred thousand for large content, three times as fast as a
    frozen dataclass, and just as immutable.
    """

    type: str
    map: tuple[int, int] | None
    tag: str = ""
    content: str = ""
    children: tuple[Block, ...] = ()


class MarkupSource(NamedTuple):
    """A text the markup checks look at: an HTML block, or a block's inline text with the inline
    tokens parsed from it where it can hold HTML, links or images."""

    line: int  # 1-based
    content: str
    html: bool
    inline: tuple[Token, ...] = ()


@dataclass(frozen=True)
class KeySlot:
    """Where `ids` writes a missing key: after `line` (1-based), with `indent`."""

    line: int
    indent: str
    prefix: str
    seed: str
    front_matter: bool = False


def read_blocks(text: str) -> tuple[list[Block], list[MarkupSource]]:
    """The top-level blocks of `text` and the texts for the markup checks, in the order of the file."""
    from generator.linescan import scan  # imported here: linescan builds on this module

    scanned = scan(text)
    if scanned is not None:
        return scanned
    from markdown_it.tree import SyntaxTreeNode

    tokens = block_parser().parse(text)
    return [_block(node) for node in SyntaxTreeNode(tokens).children], list(markup_sources(tokens))


def _block(node: SyntaxTreeNode) -> Block:
    if node.type == "inline":
        return Block("inline", node.map, content=node.content)
    return Block(node.type, node.map, node.tag, node.content, tuple(_block(child) for child in node.children))


def markup_sources(tokens: Iterable[Token]) -> Iterable[MarkupSource]:
    for token in tokens:
        if token.map is None or token.type not in ("html_block", "inline"):
            continue
        html = token.type == "html_block"
        yield MarkupSource(token.map[0] + 1, token.content, html, tuple(token.children or ()))


def line_of(node: Block) -> int:
    """1-based first line of a block (markdown-it maps are 0-based)."""
    return node.map[0] + 1 if node.map else 0


def block_source(lines: list[str], node: Block) -> str:
    start, end = node.map or (0, 0)
    return "\n".join(lines[start:end]).strip("\n")


def heading_text(node: Block) -> str:
    return node.children[0].content.strip() if node.children else ""


def is_key_comment(node: Block) -> bool:
    return node.type == "html_block" and KEY_COMMENT.fullmatch(node.content.strip()) is not None
