"""Retired notes, shipped once more as withdrawn notes: Anki never deletes or updates a note that is missing
from a package, so without this a withdrawn card would go on teaching its old text.

A withdrawn note keeps its GUID and note type, so learners who have it get its new text (newer time) with
the tag that one search finds all of them by; their cards stay as they are (Anki never changes cards it
already has), now showing the notice. It is shipped without cards: a learner who never had the note gets
nothing to study from it (suspended cards would not do: Anki's importer makes every card new again unless
learning progress is imported).
"""

from __future__ import annotations

import html

from generator.anki.notetypes import KEY_FIELD, NOTE_TYPES
from generator.anki.render import CardNote, RenderedDeck, content_digest
from generator.errors import SourceLocation
from generator.release.lock import Lock, RetiredNote

WITHDRAWN_TAG = "zurueckgezogen"


def withdrawn_tag(deck_key: str) -> str:
    return f"{deck_key}::{WITHDRAWN_TAG}"


def withdrawn_search(deck_key: str) -> str:
    """The Anki search that finds every withdrawn note of the deck."""
    return f"tag:{withdrawn_tag(deck_key)}"


def withdrawn_notes(deck: RenderedDeck, lock: Lock) -> tuple[CardNote, ...]:
    """A note for every retired key of the lock, in the parent deck, saying that it was withdrawn."""
    return tuple(_withdrawn(deck, key, retired) for key, retired in lock.retired.items())


def _withdrawn(deck: RenderedDeck, key: str, retired: RetiredNote) -> CardNote:
    note_type = NOTE_TYPES[retired.kind]  # type: ignore[index]
    notice = (f"<b>Zurückgezogen</b> mit Version {retired.release}: „{html.escape(retired.label)}“ gilt "
              f"nicht mehr. Bitte lösche diese Karte: im Browser suchen nach "
              f"<code>{html.escape(withdrawn_search(deck.key))}</code>, alle markieren, löschen.")
    if note_type.is_cloze:  # a gap for each card learners have, or Anki shows those cards as broken
        notice += " " + " ".join(f"{{{{c{ordinal + 1}::Löschen}}}}" for ordinal in retired.cards)
    fields = {name: "" for name in note_type.fields}
    # The notice where each note type shows it alone: the templates leave out their prompts and
    # labels while the fields they belong to are empty.
    notice_field = "Situation" if "Situation" in fields else note_type.fields[0]
    fields.update({note_type.fields[0]: "Zurückgezogen"})
    fields.update({notice_field: notice, "Wahrheit": "Zurückgezogen", KEY_FIELD: key})
    values = tuple(fields.values())
    tags = (withdrawn_tag(deck.key),)
    return CardNote(
        key=key, guid=retired.guid, note_type=note_type, fields=values, tags=tags, deck_id=deck.decks[0].id,
        cloze_gaps=tuple((ordinal + 1, "Löschen") for ordinal in retired.cards) if note_type.is_cloze else (),
        location=SourceLocation("deck.lock"), hash=content_digest([note_type.id, values, tags]),
        label=retired.label, text="")
