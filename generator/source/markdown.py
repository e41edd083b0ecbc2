"""The one configured markdown-it parser, and the Block tree the parse stage walks.

Every content file is parsed by `markdown()`, and every card field is rendered by it: a content rule
lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.front_matter import front_matter_plugin

from generator.rules.markup import MarkupSource

KEY_COMMENT = re.compile(r"<!--\s*key:\s*(.*?)\s*-->")


STRUCTURE_ONLY = "structure_only"  # in a parse's env: the file is read for its blocks, see _inline_rule


@cache
def markdown() -> MarkdownIt:
    """CommonMark with front matter; html=True: raw HTML is seen as HTML (and reported), not as text."""
    parser = MarkdownIt("commonmark", {"html": True}).use(front_matter_plugin)
    parser.core.ruler.at("inline", _inline_rule)
    return parser


def _inline_rule(state: StateCore) -> None:
    """markdown-it's core `inline` rule. When a file is read for its blocks (STRUCTURE_ONLY), only texts
    that can hold raw HTML, links or images are parsed inline, for the markup checks: each field is
    parsed inline again when its card is rendered (this halves the time of reading a file)."""
    structure_only = bool(state.env.get(STRUCTURE_ONLY))
    for token in state.tokens:
        needed = not structure_only or "<" in token.content or "[" in token.content
        if token.type != "inline" or not needed:
            continue
        if token.children is None:
            token.children = []
        state.md.inline.parse(token.content, state.md, state.env, token.children)


class Block(NamedTuple):
    """A block of a Markdown file: markdown-it's node type, tag and 0-based line range [start, end).

    `content` is the raw text of leaves (front matter, HTML blocks, a heading's or paragraph's
    "inline" child); containers (lists, items, paragraphs, headings) have `children`.
    """

    type: str
    map: tuple[int, int] | None
    tag: str = ""
    content: str = ""
    children: tuple[Block, ...] = ()


@dataclass(frozen=True)
class KeySlot:
    """Where `ids` writes a missing key: after `line` (1-based), with `indent`."""

    line: int
    indent: str
    prefix: str
    seed: str
    front_matter: bool = False


class ParsedText(NamedTuple):
    blocks: list[Block]  # the top-level blocks, in the order of the file
    markup: list[MarkupSource]  # the texts the markup checks look at
    too_deep: int  # 1-based line where nesting reached the parser's limit (it stops reading there), or 0


def read_blocks(text: str) -> ParsedText:
    tokens = markdown().parse(text, {STRUCTURE_ONLY: True})
    limit = markdown().options.maxNesting - 1
    too_deep = next((t.map[0] + 1 for t in tokens if t.level >= limit and t.map), 0)
    return ParsedText([_block(node) for node in SyntaxTreeNode(tokens).children],
                      list(markup_sources(tokens)), too_deep)


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


def section_lines(blocks: list[Block], name: str) -> set[int]:
    """The 0-based lines of the blocks under the heading `## name`."""
    lines: set[int] = set()
    section = ""
    for node in blocks:
        if node.type == "heading" and node.tag in ("h1", "h2"):
            section = heading_text(node) if node.tag == "h2" else ""
        elif section == name and node.map:
            lines.update(range(*node.map))
    return lines
