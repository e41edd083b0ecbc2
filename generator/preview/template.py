"""Anki's card template language, the subset our note types use, rendered exactly as Anki renders it.

The preview must show what a learner sees, so it fills the deck's own templates with the
deck's own field HTML instead of approximating them. Every rule here mirrors Anki's
backend (rslib `template.rs` and `cloze.rs`) and is checked against the real backend by
tests/test_preview_anki.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Anki takes everything from `{{` to the next `}}` as one tag; comments pass through untouched.
TOKEN = re.compile(r"<!--.*?-->|\{\{(.*?)\}\}", re.DOTALL)
CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.DOTALL)
# Anki's field_is_empty: ASCII whitespace and empty <br>/<div> tags only.
EMPTY_FIELD = re.compile(r"(?:[\t\n\x0b\x0c\r ]|</?(?:br|div) ?/?>)*", re.IGNORECASE)
NAMED_ENTITIES = {'"': "&quot;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Replacement:
    key: str
    filters: tuple[str, ...]  # in the order they are applied (the one nearest the key first)


@dataclass(frozen=True)
class Section:
    key: str
    inverted: bool
    children: tuple[Node, ...]


Node = Text | Replacement | Section


@dataclass(frozen=True)
class Side:
    """What a template is rendered with: the note's fields, the card and the side."""

    fields: Mapping[str, str]
    ordinal: int  # Anki's card ord: the template index, or the cloze number - 1
    question: bool
    front_side: str = ""


def parse(template: str) -> tuple[Node, ...]:
    stack: list[tuple[str, bool, list[Node]]] = [("", False, [])]
    position = 0
    for match in TOKEN.finditer(template):
        stack[-1][2].append(Text(template[position:match.start()]))
        position = match.end()
        if match.group(1) is None:
            stack[-1][2].append(Text(match.group(0)))
            continue
        handle = match.group(1).lstrip("{").strip()
        if len(handle) >= 2 and handle[0] in "#^":
            stack.append((handle[1:].lstrip(), handle[0] == "^", []))
        elif len(handle) >= 2 and handle[0] == "/":
            key, inverted, children = stack.pop()
            if key != handle[1:].lstrip() or not stack:
                raise ValueError(f"template: {{{{{handle}}}}} does not close {{{{#{key}}}}}")
            stack[-1][2].append(Section(key, inverted, tuple(children)))
        else:
            *filters, key = handle.split(":")
            stack[-1][2].append(Replacement(key, tuple(reversed(filters))))
    if len(stack) != 1:
        raise ValueError(f"template: {{{{#{stack[-1][0]}}}}} is never closed")
    stack[0][2].append(Text(template[position:]))
    return tuple(stack[0][2])


def render(template: str, side: Side) -> str:
    return "".join(_render(node, side) for node in parse(template))


def _render(node: Node, side: Side) -> str:
    if isinstance(node, Text):
        return node.text
    if isinstance(node, Section):
        shown = _is_set(node.key, side) != node.inverted
        return "".join(_render(child, side) for child in node.children) if shown else ""
    if node.key == "FrontSide":
        return side.front_side
    if node.key not in side.fields:
        raise ValueError(f"template: unknown field {{{{{node.key}}}}}")
    text = side.fields[node.key]
    for name in node.filters:
        if name != "cloze":
            raise ValueError(f"template: filter `{name}:` is not supported by the preview")
        text = cloze_filter(text, side.ordinal + 1, side.question)
    return text


def _is_set(key: str, side: Side) -> bool:
    if key == f"c{side.ordinal + 1}":
        return True  # Anki adds the field "c<card number>" for every card
    if key not in side.fields and not re.fullmatch(r"c\d+", key):
        raise ValueError(f"template: unknown field in section {{{{#{key}}}}}")
    return not field_is_empty(side.fields.get(key, ""))


def field_is_empty(html: str) -> bool:
    return EMPTY_FIELD.fullmatch(html) is not None


def cloze_filter(text: str, number: int, question: bool) -> str:
    """Anki's {{cloze:…}}: the card's gaps hidden (front) or marked (back), the other gaps shown."""
    if not any(int(match.group(1)) == number for match in CLOZE.finditer(text)):
        return ""  # Anki shows its own "no cloze found" notice instead of the card

    def gap(match: re.Match[str]) -> str:
        answer, separator, hint = match.group(2).partition("::")
        ordinal = int(match.group(1))
        if ordinal != number:
            return f'<span class="cloze-inactive" data-ordinal="{ordinal}">{answer}</span>'
        if not question:
            return f'<span class="cloze" data-ordinal="{ordinal}">{answer}</span>'
        shown = f"[{hint}]" if separator else "[...]"
        hidden = encode_attribute(answer)
        return f'<span class="cloze" data-cloze="{hidden}" data-ordinal="{ordinal}">{shown}</span>'

    return CLOZE.sub(gap, text)


def encode_attribute(text: str) -> str:
    """Escape as Anki's htmlescape::encode_attribute: every Latin-1 character but ASCII letters, digits."""
    return "".join(_encode_char(char) for char in text)


def _encode_char(char: str) -> str:
    if char in NAMED_ENTITIES:
        return NAMED_ENTITIES[char]
    if ord(char) >= 256 or (char.isascii() and char.isalnum()):
        return char
    return f"&#x{ord(char):02X};"
