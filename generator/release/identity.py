"""A note's key is its identity in every learner's collection: checked against the lock.

A key on two notes is almost always a copied note: the copy that still matches the released text is
the original and keeps the key; the other is the copy. A key the lock lists as retired belonged to a
note that learners may still have: put on another note, its history would show under the new text.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.anki.render import CardNote, RenderedDeck, plain_text
from generator.errors import Diagnostic, error, warning
from generator.release.lock import Lock

NEW_KEY = "delete this note's key line and run `wahrheiten-deck ids`: it becomes a new note"
OTHERS = "on each other note, delete its key line and run `wahrheiten-deck ids` (it becomes a new note)"


def identity_problems(deck: RenderedDeck, old: Lock | None) -> list[Diagnostic]:
    by_key: dict[str, list[CardNote]] = {}
    for note in deck.notes:
        by_key.setdefault(note.key, []).append(note)
    found = [d for key, notes in by_key.items() if len(notes) > 1 for d in _duplicates(key, notes, old)]
    if old is not None:
        found += [d for key, notes in by_key.items() for d in _retired(key, notes, old)]
    return found


def _duplicates(key: str, notes: list[CardNote], old: Lock | None) -> Iterator[Diagnostic]:
    released = old.notes.get(key) if old else None
    originals = [n for n in notes if released is not None and n.hash == released.hash]
    if len(originals) == 1:
        original = originals[0]
        for copy in (n for n in notes if n is not original):
            yield error(copy.location, f"duplicate note key `{key}`: this note looks like a copy of the "
                        f"released note at {original.location}, which keeps the key",
                        NEW_KEY + "; the released note keeps its learners' history")
        return
    for note in notes:
        others = ", ".join(str(n.location) for n in notes if n is not note)
        keep = (f"learners know this key as „{released.label}“: keep it on that note; " if released
                else "keep the key on one of them; ")
        yield error(note.location, f"duplicate note key `{key}` (also at {others})", keep + OTHERS)


def _retired(key: str, notes: list[CardNote], old: Lock) -> Iterator[Diagnostic]:
    retired = old.retired.get(key)
    if retired is None or key in old.notes:
        return
    for note in notes:
        yield error(note.location, f"the key `{key}` belonged to „{retired.label}“, retired in version "
                    f"{retired.release}: learners who kept that note would see its history under this text",
                    NEW_KEY)


def duplicate_texts(deck: RenderedDeck) -> list[Diagnostic]:
    """Notes whose first field is another's: Anki marks both as duplicates (a copy was probably meant to
    be reworded)."""
    first: dict[tuple[int, str], CardNote] = {}
    found = []
    for note in deck.notes:
        text = (note.note_type.id, plain_text(note.fields[0]).casefold())
        if text in first and first[text].key != note.key:
            found.append(warning(note.location, f"the same text as the note at {first[text].location}: "
                                 "Anki marks both as duplicates", "reword one of them or delete the copy"))
        first.setdefault(text, note)
    return found
