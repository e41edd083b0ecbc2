"""Plan a release against the lock: keep times of unchanged notes, move changed ones forward, list changes.

Anki's importer updates an existing note only if the package's modification time is
strictly greater than the learner's copy; a note type's templates and CSS likewise.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.errors import Diagnostic, SourceLocation, error
from generator.lock import Changes, Lock, LockedNote, LockedNoteType, RetiredNote
from generator.notetypes import KEY_FIELD, NOTE_TYPES, NoteType, stylesheet
from generator.render import CardNote, RenderedDeck, content_digest


def note_type_hash(note_type: NoteType) -> str:
    return content_digest([note_type.name, note_type.fields, note_type.template_html(), stylesheet()])


def plan_release(deck: RenderedDeck, old: Lock | None, now: int) -> Lock:
    """The lock after this build; `now` is used only for notes and note types that changed."""
    old = old or Lock(deck=deck.key)
    fresh = max(now, old.released + 1)
    notes: dict[str, LockedNote] = {}
    added: list[str] = []
    changed: list[str] = []
    released = old.notes
    for note in deck.notes:
        key, digest = note.key, note.hash
        previous = released.get(key)
        if previous is None:
            added.append(key)
            mod = fresh
        elif previous.hash == digest:
            mod = previous.mod
        else:
            changed.append(key)
            mod = fresh
        notes[key] = LockedNote(note.guid, note.note_type.kind, digest, mod, note.cloze_gaps, note.label)
    note_types, types_changed = _plan_note_types(old, fresh)
    gone = sorted(set(old.notes) - set(notes))
    changes = Changes(tuple(added), tuple(changed), tuple(gone), tuple(types_changed))
    release = old.release + 1 if not changes.empty else old.release
    retired = {k: v for k, v in old.retired.items() if k not in notes}
    retired.update({k: RetiredNote(old.notes[k].guid, old.notes[k].kind, old.notes[k].label, release)
                    for k in gone})
    mods = [n.mod for n in notes.values()] + [t.mod for t in note_types.values()]
    return Lock(deck=deck.key, release=release, released=max(mods, default=old.released),
                note_types=note_types, notes=notes, retired=dict(sorted(retired.items())),
                changes=changes if not changes.empty else old.changes)


def _plan_note_types(old: Lock, fresh: int) -> tuple[dict[str, LockedNoteType], list[str]]:
    planned: dict[str, LockedNoteType] = {}
    changed: list[str] = []
    for kind, note_type in NOTE_TYPES.items():
        digest, previous = note_type_hash(note_type), old.note_types.get(kind)
        unchanged = previous is not None and previous.hash == digest
        if not unchanged:
            changed.append(kind)
        planned[kind] = LockedNoteType(
            note_type.id, note_type.name, note_type.fields, tuple(t.name for t in note_type.templates),
            digest, previous.mod if unchanged and previous else fresh)
    return planned, changed


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


def release_notes(deck: RenderedDeck, lock: Lock) -> str:
    """build/CHANGES.md: what this release adds, changes and retires, with Anki searches."""
    changes = lock.changes
    lines = [f"# {deck.title}: Version {lock.release}", ""]
    for title, keys in (("Neu", changes.added), ("Geändert", changes.changed)):
        lines += [f"## {title} ({len(keys)})", ""] + [f"- {lock.notes[k].label} (`{k}`)" for k in keys] + [""]
    lines += [f"## Entfernt ({len(changes.retired)})", ""]
    for key in changes.retired:
        label = lock.retired[key].label if key in lock.retired else key
        lines.append(f"- {label} — in Anki suchen: `{KEY_FIELD}:{key}`")
    if changes.retired:
        search = " OR ".join(f"{KEY_FIELD}:{k}" for k in changes.retired)
        lines += ["", "Anki löscht beim Import nie etwas. Bitte diese Karten selbst löschen: im "
                  "Kartenbrowser suchen nach", "", f"    {search}", "",
                  "und die gefundenen Notizen löschen."]
    if changes.note_types:
        lines += ["", "Kartenvorlagen oder Stil wurden geändert: "
                  + ", ".join(NOTE_TYPES[k].name for k in changes.note_types)]  # type: ignore[index]
    return "\n".join(lines).rstrip() + "\n"
