"""Edits that would hurt learners' collections, found by comparing the content with the lock."""

from __future__ import annotations

import calendar
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from generator.anki.notetypes import NOTE_TYPES
from generator.anki.render import CardNote, RenderedDeck
from generator.errors import Diagnostic, SourceLocation, error
from generator.files import display_name
from generator.release.lock import Lock, LockedNote


def hazards(deck: RenderedDeck, old: Lock | None, lock_file: str) -> list[Diagnostic]:
    """Changes that would break learners' collections, each with its consequence and a way out."""
    if old is None:
        return []
    return [*_deck_hazards(deck, old, lock_file), *_note_hazards(deck, old),
            *_note_type_hazards(old, lock_file)]


def _deck_hazards(deck: RenderedDeck, old: Lock, lock_file: str) -> Iterator[Diagnostic]:
    if old.deck != deck.key:
        yield error(SourceLocation(lock_file), f"the deck key changed from `{old.deck}` to `{deck.key}`: "
                    "every note would get a new identity and learners would get the whole deck twice",
                    f"restore `key: {old.deck}` in deck.md; start a new deck folder for a new deck")


def _note_hazards(deck: RenderedDeck, old: Lock) -> Iterator[Diagnostic]:
    for note in deck.notes:
        previous = old.notes.get(note.key) or old.retired.get(note.key)
        if previous is not None and previous.kind != note.note_type.kind:
            yield error(note.location, f"the note `{note.key}` was released as a {previous.kind} note "
                        f"and is now a {note.note_type.kind} note: Anki would skip it as conflicting "
                        "and learners would never see the change",
                        "delete the key line and run `wahrheiten-deck ids` to make it a new note; "
                        "the old one is then retired")
            continue
        if lost := _lost_gaps(note, old.notes.get(note.key)):
            gaps = ", ".join(f"c{n}" for n in lost)
            yield error(note.location, f"gap {gaps} of the released note `{note.key}` was removed or "
                        "renumbered: learners keep an empty card for it and their history of one gap "
                        "would move to another", "keep the gap numbers of a released note; to "
                        "restructure it, delete its key line and run `wahrheiten-deck ids` (new note)")


def _lost_gaps(note: CardNote, previous: LockedNote | None) -> list[int]:
    """Released gap numbers that vanished, or whose answer now sits under another number."""
    if previous is None or previous.clozes == note.cloze_gaps:  # the same gaps: nothing lost
        return []
    now = {number: answer.casefold() for number, answer in note.cloze_gaps}
    lost = []
    for number, answer in previous.clozes:
        moved = now.get(number) != answer.casefold() and answer.casefold() in now.values()
        if number not in now or moved:
            lost.append(number)
    return sorted(set(lost))


def _note_type_hazards(old: Lock, lock_file: str) -> Iterator[Diagnostic]:
    for kind, locked in old.note_types.items():
        current = NOTE_TYPES.get(kind)  # type: ignore[call-overload]
        if current is None:
            continue
        templates = tuple(t.name for t in current.templates)
        if (current.id, current.fields, templates) != (locked.id, locked.fields, locked.templates):
            yield error(SourceLocation(lock_file), f"the fields, templates or ID of note type "
                        f"„{locked.name}“ changed: Anki skips every note of a changed note type as "
                        "conflicting, so no learner would receive any update again",
                        "restore the fields and templates in generator/notetypes.py; a new structure "
                        "needs a new note type with a new ID and new note keys")


def older_than_package(lock: Lock, package: Path, lock_file: str) -> list[Diagnostic]:
    """A release older than the package last built here: content and lock reverted to an earlier commit.

    Learners who imported the newer package hold newer modification times, and Anki's importer updates
    a note only if the package's time is newer: the reverted texts would never reach them.
    """
    try:
        with zipfile.ZipFile(package) as archive:
            built = calendar.timegm((*archive.getinfo("collection.anki2").date_time, 0, 0, 0))
    except (OSError, KeyError, zipfile.BadZipFile):
        return []  # no package here, or not one of ours: nothing to compare with
    if lock.released >= built - 2:  # zip times have a resolution of two seconds
        return []
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(built))
    return [error(SourceLocation(lock_file), f"this release (version {lock.release}) is older than the "
                  f"package {display_name(package)} built on {when} UTC: learners who imported that one "
                  "would never receive these texts, because Anki only takes notes that are newer",
                  "to publish a revert, restore the newest deck.lock (e.g. `git checkout main -- "
                  "content/deck.lock`) and build again: the reverted notes then get newer times")]
