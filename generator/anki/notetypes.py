"""Note types, fixed IDs and the identity recipes (GUIDs, deck IDs).

Everything here is a contract with every learner's collection: Anki matches note
types by ID and refuses to update notes whose note type's field or template names
or counts changed. Never rename, reorder, add or remove a field or template, and
never change an ID.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import genanki

from generator.model import NoteKind

CLOZE_NOTE_TYPE_ID = 1_764_203_118_001
PHRASING_NOTE_TYPE_ID = 1_764_203_118_002
SCENARIO_NOTE_TYPE_ID = 1_764_203_118_003
RECOGNITION_NOTE_TYPE_ID = 1_764_203_118_004

KEY_FIELD = "Schlüssel"
TEMPLATES = Path(__file__).resolve().parent / "templates"  # installed with the package (package-data)


@dataclass(frozen=True)
class CardTemplate:
    name: str
    front_file: str
    back_file: str


@dataclass(frozen=True)
class NoteType:
    kind: NoteKind
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[CardTemplate, ...]
    is_cloze: bool = False

    def template_html(self) -> tuple[tuple[str, str, str], ...]:
        """(name, front, back) for each card template, read from the package's template files."""
        return tuple((t.name, _template(t.front_file), _template(t.back_file)) for t in self.templates)


CLOZE = NoteType(
    kind="cloze", id=CLOZE_NOTE_TYPE_ID, name="Vertriebstraining: Lückentext",
    fields=("Text", "Kernaussage", "Wahrheit", KEY_FIELD),
    templates=(CardTemplate("Lückentext", "cloze_front.html", "cloze_back.html"),),
    is_cloze=True,
)
PHRASING = NoteType(
    kind="phrasing", id=PHRASING_NOTE_TYPE_ID, name="Vertriebstraining: Formulierung",
    fields=("Formulierung", "Bewertung", "Warum", "Besser", "Kernaussage", "Wahrheit", KEY_FIELD),
    templates=(CardTemplate("Sagen oder vermeiden", "phrasing_front.html", "phrasing_back.html"),),
)
SCENARIO = NoteType(
    kind="scenario", id=SCENARIO_NOTE_TYPE_ID, name="Vertriebstraining: Szenario",
    fields=("Titel", "Situation", "Kunde", "Auswahl", "Lösung", "Reaktion", "Warum", "Falsch",
            "Kernaussage", "Wahrheit", KEY_FIELD),
    templates=(CardTemplate("Szenario", "scenario_front.html", "scenario_back.html"),),
)
RECOGNITION = NoteType(
    kind="recognition", id=RECOGNITION_NOTE_TYPE_ID, name="Vertriebstraining: Welche Wahrheit",
    fields=("Titel", "Situation", "Warum", "Falsch", "Kernaussage", "Wahrheit", KEY_FIELD),
    templates=(CardTemplate("Welche Wahrheit", "recognition_front.html", "recognition_back.html"),),
)
NOTE_TYPES: dict[NoteKind, NoteType] = {t.kind: t for t in (CLOZE, PHRASING, SCENARIO, RECOGNITION)}


def stylesheet() -> str:
    return _template("style.css")


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def note_guid(deck_key: str, note_key: str) -> str:
    """A note's identity: the deck key and the note key only, never its text or position."""
    return str(genanki.guid_for(deck_key, note_key))


def deck_id(deck_key: str, truth_key: str = "") -> int:
    """A stable Anki deck ID for the deck (or one truth's subdeck), derived from keys only."""
    digest = hashlib.sha256(f"deck::{deck_key}::{truth_key}".encode()).digest()
    return 1_000_000_000_000 + int.from_bytes(digest[:8], "big") % 900_000_000_000
