"""Model -> Anki-ready notes: card field HTML (sanitised), tags, subdecks, GUIDs."""

from __future__ import annotations

import hashlib
import html
import json.encoder
import re
from dataclasses import dataclass
from typing import NamedTuple

import nh3

from generator import cloze
from generator.ankiformat import card_ordinals
from generator.errors import SourceLocation
from generator.linescan import plain_line
from generator.mdtree import markdown
from generator.media import MediaSet
from generator.model import ClozeNote, DeckInfo, Note, PhrasingNote, ScenarioNote, Truth
from generator.notetypes import NOTE_TYPES, NoteType, deck_id, note_guid

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "code", "s", "del", "sub", "sup", "ul", "ol",
                "li", "blockquote", "img", "a", "h1", "h2", "h3", "h4", "hr", "span"}
ALLOWED_ATTRIBUTES = {"img": {"src", "alt"}, "a": {"href"}}
KIND_TAGS = {"cloze": "lueckentext", "phrasing": "formulierung", "scenario": "szenario"}
VERDICTS = {"say": "Sagen", "avoid": "Vermeiden"}
# Text without Markdown syntax and without characters HTML escapes renders as itself (most fields):
# parser and sanitiser are skipped for it (measured: rendering 10,000 notes 1.1 s -> 0.45 s).
# Valid for the parser's inline rules as configured; tests/test_incremental.py compares both paths.
PLAIN_CHAR = r"[^\\`*_\[\]<>&\x00-\x1f\x7f-\x9f\u00a0\ufeff]"
PLAIN_TEXT = re.compile(f"{PLAIN_CHAR}*")
# Plain text with "**fett**" or "*kursiv*" (the next most common fields) renders as that text with
# <strong> and <em> pairs. By CommonMark's flanking rules, a run of one or two stars after a space (or at
# the start) and before a character that is neither a space nor a star only opens; one after a letter
# or digit before a space, the end or punctuation, or after anything else before a space or the end,
# only closes. With plain text between them, each opener pairs with the next, equal closer.
_CLOSE_BEFORE = "[^ .,;:!?)\"'\u2019\u201c\u201d\u2013\u2014\u2026-]"
_PAIR = (r"(?<![^ ]){stars}(?=[^*\s]){plain}*"
         r"(?:(?<=[^\W_]){stars}(?!" + _CLOSE_BEFORE + r")|(?<=[^\w\s*]){stars}(?![^ ]))")
_STRONG, _EM = (_PAIR.format(stars=stars, plain=PLAIN_CHAR) for stars in (r"\*\*", r"\*"))
PLAIN_EMPHASIS = re.compile(f"(?:{PLAIN_CHAR}*(?:{_STRONG}|{_EM}))+{PLAIN_CHAR}*")
EMPHASIS_PAIR = re.compile(r"(\*\*?)([^*]+)\1")
_EMPHASIS_TAGS = {"**": "strong", "*": "em"}
# The shortcuts hold for markdown() as configured (commonmark, no linkify, no typographer): checked
# by tests/test_incremental.py, which also switches them off to compare both paths.
PLAIN_INLINE = True
TAG = re.compile(r"<[^>]+>")
GAP = re.compile(r"\{\{c\d+::(.*?)(?:::.*?)?\}\}")
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(ensure_ascii=False), made once
_encode_string = json.encoder.encode_basestring  # how _COMPACT_JSON writes a string


class CardNote(NamedTuple):
    """One Anki note, ready to be written: fields in note type order.

    A NamedTuple: one per note, made in the workers and pickled to the cache and back, where it is
    three times as fast to make and unpickle as a frozen dataclass, and smaller.
    """

    key: str
    guid: str
    note_type: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck_id: int
    cloze_gaps: tuple[tuple[int, str], ...]  # (number, answer) of every gap, in text order
    location: SourceLocation
    # Kept with the rendered note (and so in the build cache): the lock records both for every note.
    hash: str  # of note type, fields and tags: what the lock compares to see a changed note
    label: str  # the first field as plain text, shortened: how release notes name the note
    cards: tuple[int, ...]  # its cards' template ordinals, in genanki's order (found once, then cached)

    @property
    def cloze_numbers(self) -> tuple[int, ...]:
        return tuple(sorted({number for number, _ in self.cloze_gaps}))


@dataclass(frozen=True)
class Subdeck:
    id: int
    name: str
    description: str


@dataclass(frozen=True)
class RenderedDeck:
    key: str
    title: str
    decks: tuple[Subdeck, ...]  # the parent deck first, then one per truth in order
    notes: tuple[CardNote, ...]


class Renderer:
    def __init__(self, media: MediaSet) -> None:
        self.media = media

    def inline(self, text: str) -> str:
        """One line of card HTML from Markdown text (line breaks become spaces)."""
        if PLAIN_INLINE and (plain := _plain_html(text)) is not None:
            return plain
        return self.sanitise(markdown().renderInline(text).replace("\n", " "))

    def block(self, text: str) -> str:
        """Card HTML (paragraphs, lists, ...) from Markdown text."""
        if PLAIN_INLINE and (paragraphs := _plain_paragraphs(text)) is not None:
            return paragraphs
        return self.sanitise(markdown().render(text)).strip()

    def sanitise(self, dirty: str) -> str:
        return nh3.clean(dirty, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
                         attribute_filter=self._media_name)

    def _media_name(self, element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            media = self.media.by_reference.get(value)
            return media.name if media else None
        return value


def _plain_html(text: str) -> str | None:
    """The HTML of plain text, or of plain text with emphasis; None for anything else."""
    if PLAIN_TEXT.fullmatch(text):
        return text
    if PLAIN_EMPHASIS.fullmatch(text):
        return EMPHASIS_PAIR.sub(_emphasis_html, text)
    return None


def _plain_paragraphs(text: str) -> str | None:
    """The HTML of paragraphs of plain lines (as `_plain_html`, and no line a block rule could claim),
    separated by one empty line; None for anything else. A line's stars all pair within the line."""
    rendered = []
    for paragraph in text.split("\n\n"):
        lines = []
        for line in paragraph.split("\n"):
            html = _plain_html(line) if plain_line(line) else None
            if html is None:
                return None
            lines.append(html)
        rendered.append("<p>" + "\n".join(lines) + "</p>")
    return "\n".join(rendered)


def _emphasis_html(pair: re.Match[str]) -> str:
    tag = _EMPHASIS_TAGS[pair.group(1)]
    return f"<{tag}>{pair.group(2)}</{tag}>"


RenderedTruth = tuple[Subdeck, tuple[CardNote, ...]]


def parent_deck(renderer: Renderer, deck: DeckInfo) -> Subdeck:
    return Subdeck(deck_id(deck.key), deck.title, renderer.block(deck.description))


def assemble_deck(deck: DeckInfo, parent: Subdeck, truths: list[RenderedTruth]) -> RenderedDeck:
    """The deck from its rendered truths, in order: notes are due in this order."""
    return RenderedDeck(deck.key, deck.title, (parent, *(sub for sub, _ in truths)),
                        tuple(note for _, notes in truths for note in notes))


def render_truth(renderer: Renderer, deck: DeckInfo, truth: Truth) -> RenderedTruth:
    """A truth's subdeck and notes."""
    sub = Subdeck(deck_id(deck.key, truth.key), f"{deck.title}::{truth.label}",
                  renderer.block(f"**{truth.core}**\n\n{truth.explanation}"))
    shared = TruthParts.of(renderer, deck, truth, sub.id)
    return sub, tuple(render_note(renderer, shared, note) for note in truth.notes)


@dataclass(frozen=True)
class TruthParts:
    """What every note of a truth shares, rendered once (the same strings in every note)."""

    deck_key: str
    deck_id: int
    core: str  # the core statement as HTML
    label: str  # "Wahrheit 3: Nutzen" as HTML
    tags: dict[str, tuple[str, ...]]  # by note kind

    @classmethod
    def of(cls, renderer: Renderer, deck: DeckInfo, truth: Truth, target_deck: int) -> TruthParts:
        truth_tag = f"{deck.key}::wahrheit::{truth.number:02d}-{truth.key}"
        return cls(deck.key, target_deck, renderer.inline(truth.core),
                   html.escape(f"Wahrheit {truth.number}: {truth.title}"),
                   {kind: (truth_tag, f"{deck.key}::art::{tag}") for kind, tag in KIND_TAGS.items()})


def render_note(renderer: Renderer, shared: TruthParts, note: Note) -> CardNote:
    gaps = cloze.scan_gaps(note.text).gaps if isinstance(note, ClozeNote) else ()
    note_type = NOTE_TYPES[note.kind]
    fields, tags = note_fields(renderer, shared, note), shared.tags[note.kind]
    return CardNote(
        key=note.key, guid=note_guid(shared.deck_key, note.key), note_type=note_type, fields=fields,
        tags=tags, deck_id=shared.deck_id, cloze_gaps=tuple((g.number, g.answer) for g in gaps),
        location=note.location, hash=note_digest(note_type.id, fields, tags), label=note_label(fields[0]),
        cards=card_ordinals(note_type, fields),
    )


def content_digest(value: object) -> str:
    """The lock's hash of `value`: SHA-256 of its compact JSON, 20 hex digits."""
    return hashlib.sha256(_COMPACT_JSON.encode(value).encode()).hexdigest()[:20]


def note_digest(note_type_id: int, fields: tuple[str, ...], tags: tuple[str, ...]) -> str:
    """content_digest([note_type_id, fields, tags]), with that JSON written directly (a tenth of a
    10,000-note render went into json's general encoder)."""
    text = (f"[{int(note_type_id)!r}, [{', '.join(map(_encode_string, fields))}], "
            f"[{', '.join(map(_encode_string, tags))}]]")
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def note_label(first_field: str, width: int = 70) -> str:
    if "<" in first_field or "{{" in first_field:  # else neither tags nor gaps to take out
        first_field = GAP.sub(r"\1", TAG.sub(" ", first_field))
    text = " ".join(first_field.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def note_fields(renderer: Renderer, shared: TruthParts, note: Note) -> tuple[str, ...]:
    core, label, key = shared.core, shared.label, note.key
    if isinstance(note, ClozeNote):
        return (renderer.inline(note.text), core, label, key)
    if isinstance(note, PhrasingNote):
        return (renderer.inline(note.phrase), VERDICTS[note.verdict], renderer.inline(note.reason),
                renderer.inline(note.better), core, label, key)
    assert isinstance(note, ScenarioNote)
    choices, solution = render_choices(renderer, note)
    return (renderer.inline(note.title), renderer.inline(note.situation), renderer.inline(note.customer),
            choices, solution, renderer.inline(note.reaction), renderer.inline(note.why),
            renderer.inline(note.wrong), core, label, key)


def render_choices(renderer: Renderer, note: ScenarioNote) -> tuple[str, str]:
    """The choices as a list for the front, and the recommended one ("B) …") for the back."""
    if not note.choices:
        return "", ""
    items = "".join(f"<li>{renderer.inline(c.text)}</li>" for c in note.choices)
    letter, correct = next((chr(65 + i), c) for i, c in enumerate(note.choices) if c.correct)
    return f"<ol>{items}</ol>", f"{letter}) {renderer.inline(correct.text)}"
