"""The line scanner gives markdown-it's Blocks and markup diagnostics exactly, or declines (None)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.tree import SyntaxTreeNode

from generator.linescan import scan
from generator.markup import markup_diagnostics
from generator.mdtree import _block, block_parser, markup_sources
from tests.test_properties import markdownish

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import synth  # noqa: E402

CONTENT = sorted((ROOT / "content").glob("*.md"))
FIXTURES = sorted((ROOT / "tests" / "fixtures").rglob("*.md"))
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IMAGES = ROOT / "tests" / "fixtures" / "golden" / "content"


def accepted(text: str) -> bool:
    """True if the scanner accepted `text`; its Blocks and markup diagnostics then equal markdown-it's."""
    scanned = scan(text)
    if scanned is None:
        return False
    tokens = block_parser().parse(text)
    blocks, markup = scanned
    assert blocks == [_block(node) for node in SyntaxTreeNode(tokens).children]
    assert (markup_diagnostics(markup, "x.md", IMAGES)
            == markup_diagnostics(markup_sources(tokens), "x.md", IMAGES))
    assert [(m.line, m.content, m.html) for m in markup] == [
        (m.line, m.content, m.html) for m in markup_sources(tokens)]
    return True


@pytest.mark.parametrize("path", CONTENT + FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_files_give_markdown_its_blocks(path: Path) -> None:
    accepted(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [p for p in CONTENT if p.name != "README.md"], ids=lambda p: p.name)
def test_the_default_content_is_scanned(path: Path) -> None:
    assert accepted(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("notes", [9, 100, 1000])
def test_the_benchmarks_content_is_scanned(notes: int) -> None:
    texts = [synth.DECK_MARKDOWN] + [synth.truth_markdown(t) for t in synth.truths(notes)]
    assert all(accepted(text) for text in texts)


def test_markup_in_scanned_text_is_found() -> None:
    text = ("---\nkey: a\n---\n\n# T\n\n- Satz mit <b>HTML</b> und [Link](javascript:x)\n"
            "  <!-- key: a-b -->\n- ![Bild](fehlt.png)\n\n<!-- offen\n")
    assert scan(text) is None  # the unclosed comment leaves the subset
    text = text.replace("<!-- offen\n", "Ende.\n")
    assert accepted(text)
    messages = [d.message for d in markup_diagnostics(scan(text)[1], "x.md", IMAGES)]  # type: ignore[index]
    assert any("raw HTML `<b>`" in m for m in messages)
    assert any("javascript:x" in m for m in messages)
    assert any("fehlt.png" in m for m in messages)


FIRST_WORDS = ["Kunde", "schätzt", "**Sagen:**", "*kursiv*", "{{c1::Wert}}", "„Zitat“", "a [b](c)",
               "x <b>y</b>", "[ ] Option", "[x] Option", "12 Wahrheiten", "Preis:", "\\*", "&amp;"]
# Inside a line: links, images, autolinks and what only looks like references.
WORDS = st.sampled_from([*FIRST_WORDS, "[a]", "](", "![b](bild.png)", "<https://x.de>", "[c]: /d", "[e][f]"])
LINE = st.builds(lambda first, more: " ".join([first, *more]), st.sampled_from(FIRST_WORDS),
                 st.lists(WORDS, max_size=3))
COMMENT = st.sampled_from(["<!-- key: nutzen-4fk2qa -->", "<!-- key: -->", "<!--key:x-->"])
FRONT = st.sampled_from(["---\nkey: nutzen\nnumber: 3\n---", "---\n---", "---\nkey: a\n- b\n---"])
HEADING = st.builds(lambda depth, text: "#" * depth + " " + text, st.integers(1, 3), LINE)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=3).map("\n".join)
ITEM = st.builds(lambda first, more: "\n".join(["- " + first] + ["  " + m for m in more]),
                 LINE, st.lists(st.one_of(LINE, COMMENT), max_size=3))
# Ends with a paragraph: two lists with only blank lines between are one loose list (the scanner declines).
LIST = st.builds(lambda items, after: "\n".join(items) + "\n\n" + after,
                 st.lists(ITEM, min_size=1, max_size=4), PARAGRAPH)
BLOCK = st.one_of(HEADING, PARAGRAPH, LIST, COMMENT, st.builds(lambda h, c: h + "\n" + c, HEADING, COMMENT))
DOCUMENT = st.builds(lambda front, blocks, end: "\n\n".join([front, *blocks]) + end,
                     FRONT, st.lists(BLOCK, max_size=8), st.sampled_from(["\n", "", "\n\n"]))

PERTURBATIONS = [
    "\t", "  ", " ", "   ", "    ", "> ", "***", "* * *", "---", "===", "- ", "* ", "+ ", "1. ", "2) ", "# ",
    "#### ", "```", "~~~", "<div>", "</div>", "<!--", "-->", "[ref]: /url", "[a]:", "|", "_", "__", "=",
    "-", "*", "\r\n", "\u00a0", "\x00", "#", "   - ", "  - ", "...", "", "x", "<!-- key: k -->", "- [ ] ",
]


@st.composite
def perturbed(draw: st.DrawFn) -> str:
    lines = draw(DOCUMENT).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines)))
        piece = draw(st.sampled_from(PERTURBATIONS))
        how = draw(st.sampled_from(["insert line", "prefix", "suffix", "replace"]))
        if how == "insert line":
            lines.insert(at, piece + draw(st.sampled_from(["", "text", " text"])))
        elif at < len(lines):
            line = lines[at]
            lines[at] = piece + line if how == "prefix" else line + piece if how == "suffix" else piece
    return "\n".join(lines)


@SETTINGS
@given(DOCUMENT)
def test_documents_of_the_format_are_scanned(text: str) -> None:
    assert accepted(text)


@SETTINGS
@given(perturbed())
def test_perturbed_documents_give_markdown_its_blocks_or_are_declined(text: str) -> None:
    accepted(text)


SOUP = st.lists(st.sampled_from([*PERTURBATIONS, "\n", "\n\n", "text", "a b", "---\n"]), max_size=30)


@SETTINGS
@given(SOUP.map("".join))
def test_fragment_soup_gives_markdown_its_blocks_or_is_declined(text: str) -> None:
    accepted("---\nkey: a\n---\n" + text)


@SETTINGS
@given(markdownish)
def test_content_like_text_gives_markdown_its_blocks_or_is_declined(text: str) -> None:
    accepted(text)
    accepted("---\nkey: a\n---\n" + text)
