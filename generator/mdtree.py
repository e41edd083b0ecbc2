"""The configured MarkdownIt parsers (full, and blocks-first for the parse stage) and tree-walking helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.front_matter import front_matter_plugin

# html=True so that raw HTML is seen as HTML tokens (and reported), never as text.
MARKDOWN = MarkdownIt("commonmark", {"html": True}).use(front_matter_plugin)


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


# The parse stage reads the block structure and each block's raw text; of the inline tokens it needs
# only HTML, links and images (for markup diagnostics). Leaving out the rest halves parsing time.
BLOCKS = MarkdownIt("commonmark", {"html": True}).use(front_matter_plugin)
BLOCKS.core.ruler.at("inline", _inline_with_markup)
KEY_COMMENT = re.compile(r"<!--\s*key:\s*(.*?)\s*-->")


@dataclass(frozen=True)
class KeySlot:
    """Where `ids` writes a missing key: after `line` (1-based), with `indent`."""

    line: int
    indent: str
    prefix: str
    seed: str
    front_matter: bool = False


def parse_markdown(text: str) -> list[SyntaxTreeNode]:
    return list(SyntaxTreeNode(MARKDOWN.parse(text)).children)


def line_of(node: SyntaxTreeNode) -> int:
    """1-based first line of a block (markdown-it maps are 0-based)."""
    return node.map[0] + 1 if node.map else 0


def block_source(lines: list[str], node: SyntaxTreeNode) -> str:
    start, end = node.map or (0, 0)
    return "\n".join(lines[start:end]).strip("\n")


def heading_text(node: SyntaxTreeNode) -> str:
    return node.children[0].content.strip() if node.children else ""


def is_key_comment(node: SyntaxTreeNode) -> bool:
    return node.type == "html_block" and KEY_COMMENT.fullmatch(node.content.strip()) is not None
