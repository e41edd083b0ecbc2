"""Model -> Anki-ready notes: card field HTML (sanitised), tags, subdecks, GUIDs."""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from typing import NamedTuple

import nh3
from markdown_it.common.normalize_url import normalizeLink, validateLink

from generator.anki.notetypes import NOTE_TYPES, NoteType, deck_id, note_guid
from generator.errors import SourceLocation
from generator.model import (
    ClozeNote,
    DeckInfo,
    Note,
    PhrasingNote,
    RecognitionNote,
    ScenarioNote,
    Truth,
    named_truths,
)
from generator.rules import cloze
from generator.rules.markup import SCHEME_LINK
from generator.source.markdown import markdown
from generator.source.media import MediaSet

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "code", "s", "del", "sub", "sup", "ul", "ol",
                "li", "blockquote", "img", "a", "h1", "h2", "h3", "h4", "hr", "span"}
ALLOWED_ATTRIBUTES = {"img": {"src", "alt"}, "a": {"href"}}
KIND_TAGS = {"cloze": "lueckentext", "phrasing": "formulierung", "scenario": "szenario",
             "recognition": "welche-wahrheit"}
VERDICTS = {"say": "Sagen", "avoid": "Vermeiden"}
TAG = re.compile(r"<[^>]+>")
GAP = re.compile(r"\{\{c\d+::(.*?)(?:::.*?)?\}\}")


class CardNote(NamedTuple):
    """One Anki note, ready to be written: fields in note type order.

    Kept in the build cache with the rest of its truth file's results.
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
    text: str  # the note's own fields as plain text: what release notes compare between releases

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
        return self.sanitise(markdown().renderInline(without_refused_links(text)).replace("\n", " "))

    def block(self, text: str) -> str:
        """Card HTML (paragraphs, lists, ...) from Markdown text."""
        return self.sanitise(markdown().render(without_refused_links(text))).strip()

    def sanitise(self, dirty: str) -> str:
        return nh3.clean(dirty, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
                         attribute_filter=self._media_name)

    def _media_name(self, element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            media = self.media.by_reference.get(value)
            return media.name if media else None
        return value


def without_refused_links(text: str) -> str:
    """Links and images whose target the parser refuses (javascript:, data:, …; reported as warnings)
    as their text alone: the parser would leave their Markdown on the card."""
    if "](" not in text:
        return text
    return SCHEME_LINK.sub(lambda m: m[0] if validateLink(normalizeLink(m[3])) else m[2], text)


RenderedTruth = tuple[Subdeck, tuple[CardNote, ...]]


def parent_deck(renderer: Renderer, deck: DeckInfo) -> Subdeck:
    return Subdeck(deck_id(deck.key), deck.title, renderer.block(deck.description))


def assemble_deck(deck: DeckInfo, parent: Subdeck, truths: list[RenderedTruth]) -> RenderedDeck:
    """The deck from its rendered truths, in order: notes are due in this order."""
    return RenderedDeck(deck.key, deck.title, (parent, *(sub for sub, _ in truths)),
                        tuple(note for _, notes in truths for note in notes))


def render_truth(renderer: Renderer, deck: DeckInfo, truth: Truth,
                 catalog: dict[int, Truth] | None = None) -> RenderedTruth:
    """A truth's subdeck and notes. The practice file's notes show the truths they name: `catalog`
    (every truth by number) is needed for it."""
    description = f"**{truth.core}**\n\n{truth.explanation}" if truth.core else truth.explanation
    sub = Subdeck(deck_id(deck.key, truth.key), f"{deck.title}::{truth.label}", renderer.block(description))
    shared = TruthParts.of(renderer, deck, truth, sub.id)
    if not truth.practice:
        return sub, tuple(render_note(renderer, shared, note) for note in truth.notes)
    assert catalog is not None, "the practice file is rendered with the truths it names"
    return sub, tuple(render_note(renderer, shared.naming(renderer, deck, catalog, named_truths(note)), note)
                      for note in truth.notes)


@dataclass(frozen=True)
class TruthParts:
    """What every note of a truth shares, rendered once (the same strings in every note)."""

    deck_key: str
    deck_id: int
    core: str  # the core statement as HTML
    label: str  # "Wahrheit 3: Nutzen" as HTML
    tags: tuple[str, ...]  # the truth's tags (for every kind of note)

    @classmethod
    def of(cls, renderer: Renderer, deck: DeckInfo, truth: Truth, target_deck: int) -> TruthParts:
        tag = f"{deck.key}::praxis" if truth.practice else f"{deck.key}::wahrheit::{truth.tag_name}"
        return cls(deck.key, target_deck, renderer.inline(truth.core) if truth.core else "",
                   html.escape(f"Wahrheit {truth.number}: {truth.title}"), (tag,))

    def naming(self, renderer: Renderer, deck: DeckInfo, catalog: dict[int, Truth],
               numbers: tuple[int, ...]) -> TruthParts:
        """A practice note's parts: the label, core statements and tags of the truths it names."""
        truths = [catalog[number] for number in numbers]
        noun = "Wahrheit" if len(truths) == 1 else "Wahrheiten"
        label = f"{noun} {', '.join(str(t.number) for t in truths)}: {' · '.join(t.title for t in truths)}"
        cores = "".join(f"<p>{renderer.inline(t.core)}</p>" for t in truths) if len(truths) > 1 else (
            renderer.inline(truths[0].core))
        tags = (*self.tags, *(f"{deck.key}::wahrheit::{t.tag_name}" for t in truths))
        return TruthParts(self.deck_key, self.deck_id, cores, html.escape(label), tags)


def render_note(renderer: Renderer, shared: TruthParts, note: Note) -> CardNote:
    gaps = cloze.scan_gaps(note.text).gaps if isinstance(note, ClozeNote) else ()
    note_type = NOTE_TYPES[note.kind]
    fields, tags = note_fields(renderer, shared, note), note_tags(shared, note)
    return CardNote(
        key=note.key, guid=note_guid(shared.deck_key, note.key), note_type=note_type, fields=fields,
        tags=tags, deck_id=shared.deck_id, cloze_gaps=tuple((g.number, g.answer) for g in gaps),
        location=note.location, hash=content_digest([note_type.id, fields, tags]),
        label=note_label(fields[0]), text=note_text(fields[:-3]),  # without Kernaussage, Wahrheit, key
    )


def note_tags(shared: TruthParts, note: Note) -> tuple[str, ...]:
    """The truth's (or named truths') tags, the kind of note, and its sectors."""
    deck = shared.deck_key
    sectors = tuple(f"{deck}::branche::{sector}" for sector in getattr(note, "sectors", ()))
    return (*shared.tags, f"{deck}::art::{KIND_TAGS[note.kind]}", *sectors)


def content_digest(value: object) -> str:
    """The lock's hash of `value`: SHA-256 of its JSON, 20 hex digits."""
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()[:20]


def plain_text(field: str) -> str:
    """A field's HTML as the words a reader sees: gaps filled in, tags out, entities decoded."""
    return " ".join(html.unescape(GAP.sub(r"\1", TAG.sub(" ", field))).split())


def note_label(first_field: str, width: int = 70) -> str:
    text = plain_text(first_field)
    return text if len(text) <= width else text[: width - 1] + "…"


def note_text(fields: tuple[str, ...]) -> str:
    return " · ".join(text for field in fields if (text := plain_text(field)))


def note_fields(renderer: Renderer, shared: TruthParts, note: Note) -> tuple[str, ...]:
    core, label, key = shared.core, shared.label, note.key
    if isinstance(note, ClozeNote):
        return (renderer.inline(note.text), core, label, key)
    if isinstance(note, PhrasingNote):
        return (renderer.inline(note.phrase), VERDICTS[note.verdict], renderer.inline(note.reason),
                renderer.inline(note.better), core, label, key)
    if isinstance(note, RecognitionNote):
        return (renderer.inline(note.title), renderer.inline(note.situation), renderer.inline(note.why),
                renderer.inline(note.wrong), core, label, key)
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
