"""The deck's cards as Anki shows them: every note's templates filled with its field HTML."""

from __future__ import annotations

from dataclasses import dataclass

from generator.anki.render import CardNote, RenderedDeck
from generator.errors import SourceLocation
from generator.model import Content, NoteKind
from generator.preview.template import Side, render

KIND_LABELS: dict[NoteKind, str] = {"cloze": "Lückentext", "phrasing": "Formulierung", "scenario": "Szenario",
                                    "recognition": "Welche Wahrheit?"}


@dataclass(frozen=True)
class PreviewCard:
    """One card: its front and back HTML exactly as Anki renders them (without the note type CSS)."""

    key: str
    kind: NoteKind
    ordinal: int  # Anki's card ord: the template index, or the cloze number - 1
    truth: int
    question: str
    answer: str
    location: SourceLocation
    label: str  # which card of its note, e.g. "Lücke 2 von 3"; "" for a note's only card


def preview_cards(content: Content, deck: RenderedDeck) -> tuple[PreviewCard, ...]:
    """Every card of the deck in deck order: by truth, then note, then card."""
    truth_of = {note.key: truth.number for truth in content.truths for note in truth.notes}
    return tuple(card for note in deck.notes for card in note_cards(note, truth_of[note.key]))


def note_cards(note: CardNote, truth: int) -> tuple[PreviewCard, ...]:
    fields = dict(zip(note.note_type.fields, note.fields, strict=True))
    templates = note.note_type.template_html()
    if note.note_type.is_cloze:
        # A cloze note type has one template; Anki makes one card from it per gap number.
        _, front, back = templates[0]
        cards = [(number - 1, front, back) for number in note.cloze_numbers]
    else:
        cards = [(index, front, back) for index, (_, front, back) in enumerate(templates)]
    return tuple(_card(note, truth, fields, ordinal, front, back, _label(note, ordinal, len(cards)))
                 for ordinal, front, back in cards)


def _card(note: CardNote, truth: int, fields: dict[str, str], ordinal: int, front: str, back: str,
          label: str) -> PreviewCard:
    question = render(front, Side(fields, ordinal, question=True))
    answer = render(back, Side(fields, ordinal, question=False, front_side=question))
    return PreviewCard(note.key, note.note_type.kind, ordinal, truth, question, answer, note.location,
                       label)


def _label(note: CardNote, ordinal: int, count: int) -> str:
    if count < 2:
        return ""
    noun = "Lücke" if note.note_type.is_cloze else "Karte"
    return f"{noun} {ordinal + 1} von {count}"
