"""Raw HTML, link targets and images in a content file's Markdown, each reported at its own line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from markdown_it.common.normalize_url import normalizeLink, validateLink
from markdown_it.token import Token

from generator.errors import Diagnostic, SourceLocation, error, warning
from generator.rules.images import IMAGE_HINT, SCHEME, image_problem

FIRST_TAG = re.compile(r"<[^>]*>")
KEY_LINE = re.compile(r"<!--(?:(?!<!--|-->).)*-->\n?")  # one complete comment on one line
# An inline link or image with a URL scheme, as written (markdown-it turns unsafe ones into plain text).
# Groups: "!" for an image, the text, the target. The renderer drops refused ones (anki/render.py).
SCHEME_LINK = re.compile(r"(!?)\[([^\[\]\n]*)\]\(\s*<?\s*"
                         r"([a-zA-Z][a-zA-Z0-9+.\-]*:(?:[^\s()<>]|\([^\s()<>]*\))*)[^()\n]*\)")
LINK_SCHEMES = ("http:", "https:", "mailto:")
HTML_HINT = ("write Markdown instead: **fett**, *kursiv*, ![Bild](bild.png); "
             "scripts, styles and event handlers never reach a card")
LINK_HINT = "remove the link or link to a web address (https://…)"


class MarkupSource(NamedTuple):
    """A text the markup checks look at: an HTML block, or a block's inline text with its inline tokens."""

    line: int  # 1-based
    content: str
    html: bool
    inline: tuple[Token, ...] = ()


def markup_diagnostics(sources: Iterable[MarkupSource], path: str, root: Path) -> list[Diagnostic]:
    """Warnings for raw HTML and unusable links, errors for unusable images and unclosed comments."""
    found: list[Diagnostic] = []
    for source in sources:
        if source.html:
            found.extend(_html(source.content, SourceLocation(path, source.line)))
        elif source.inline or "](" in source.content:  # else nothing below could find anything
            found.extend(_inline(source.inline, path, source.line, root))
            found.extend(_scheme_links(source.content, path, source.line))
    return list(dict.fromkeys(found))  # the same problem twice on a line is reported once


def _inline(tokens: tuple[Token, ...], path: str, line: int, root: Path) -> Iterator[Diagnostic]:
    for child in tokens:
        where = SourceLocation(path, line)
        if child.type == "html_inline":
            yield from _html(child.content, where)
        elif child.type == "image":
            if problem := image_problem(str(child.attrs.get("src", "")), root):
                yield error(where, problem, IMAGE_HINT)
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if SCHEME.match(href) and not href.lower().startswith(LINK_SCHEMES):
                yield _link_warning(where, href)
        line += _newlines(child)


def _newlines(token: Token) -> int:
    if token.type in ("softbreak", "hardbreak"):
        return 1
    if token.type == "image":
        return sum(_newlines(child) for child in token.children or ())
    return token.content.count("\n") if token.type == "html_inline" else 0


def _scheme_links(content: str, path: str, line: int) -> Iterator[Diagnostic]:
    """Links and images whose scheme the parser refused (javascript:, data:, …); they stay as text."""
    if "](" not in content:  # part of every such link: most texts need no search
        return
    for match in SCHEME_LINK.finditer(content):
        target = match.group(3)
        if validateLink(normalizeLink(target)):  # what markdown-it does with a link target
            continue  # parsed as a real link or image: checked from its token
        where = SourceLocation(path, line + content.count("\n", 0, match.start()))
        if match.group(1):
            yield error(where, f"image `{target}` is not a file in the content folder", IMAGE_HINT)
        else:
            yield _link_warning(where, target)


def _link_warning(where: SourceLocation, target: str) -> Diagnostic:
    return warning(where, f"link target `{_short(target)}` is not allowed "
                   "(only http, https and mailto links work on a card)", LINK_HINT)


def is_comment(content: str) -> bool:
    """True for HTML that is nothing but comments: invisible on cards, so allowed anywhere."""
    return content.lstrip().startswith("<!--") and not _without_comments(content).strip()


def _html(content: str, where: SourceLocation) -> Iterator[Diagnostic]:
    if KEY_LINE.fullmatch(content):  # a note's key line: by far the most common HTML, never a problem
        return
    if content.lstrip().startswith("<!--"):
        end = content.find("-->")
        if end == -1 or "<!--" in content[content.find("<!--") + 4:end]:
            last = where.line + content.count("\n", 0, end if end != -1 else len(content.rstrip("\n")))
            yield error(where, f"the comment `<!--` is not closed: it hides lines {where.line} to {last}",
                        "end the comment with `-->` where it should stop")
            return
    rest = _without_comments(content).strip()
    if rest and not rest.startswith("</"):  # a closing tag was reported with its opening one
        tag = FIRST_TAG.match(rest)
        yield warning(where, f"raw HTML `{_short(tag.group(0) if tag else rest)}` is not allowed", HTML_HINT)


def _without_comments(content: str) -> str:
    """`content` without complete `<!-- … -->` comments (str.find: linear even for odd input)."""
    kept, position = [], 0
    while (start := content.find("<!--", position)) != -1 and (end := content.find("-->", start + 2)) != -1:
        kept.append(content[position:start])
        position = end + 3
    kept.append(content[position:])
    return "".join(kept)


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
