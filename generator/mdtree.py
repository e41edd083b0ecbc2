"""The one configured MarkdownIt and small helpers for walking its syntax tree."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.front_matter import front_matter_plugin

# html=True so that raw HTML is seen as HTML tokens (and reported), never as text.
MARKDOWN = MarkdownIt("commonmark", {"html": True}).use(front_matter_plugin)
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
