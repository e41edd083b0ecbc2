"""Plan a release against the lock: keep times of unchanged notes, move changed ones forward, list changes.

Anki's importer updates an existing note only if the package's modification time is
strictly greater than the learner's copy; a note type's templates and CSS likewise.
"""

from __future__ import annotations

from dataclasses import replace

from generator.anki.notetypes import NOTE_TYPES, NoteType, stylesheet
from generator.anki.render import RenderedDeck, content_digest
from generator.release.lock import Changes, Lock, LockedDeck, LockedNote, LockedNoteType, RetiredNote


def note_type_hash(note_type: NoteType) -> str:
    return content_digest([note_type.name, note_type.fields, note_type.template_html(), stylesheet()])


def plan_release(deck: RenderedDeck, old: Lock | None, now: int, preset: int = 0) -> Lock:
    """The lock after this build; `now` is used only for notes and note types that changed. `preset`:
    the ID of the plan's deck options preset (0 without a plan): a changed plan is a release too."""
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
        notes[key] = LockedNote(note.guid, note.note_type.kind, digest, mod, note.cloze_gaps, note.label,
                                note.text)
    note_types, types_changed = _plan_note_types(old, fresh)
    decks, decks_changed = _plan_decks(deck, old, preset)
    # Retired notes from a lock before withdrawn notes were shipped are withdrawn (again) in this release.
    gone = sorted(set(old.notes) - set(notes)) + sorted(k for k, v in old.retired.items()
                                                         if not v.mod and k not in notes)
    before = tuple((key, released[key].text) for key in changed)
    changes = Changes(tuple(added), tuple(changed), tuple(gone), tuple(types_changed), tuple(decks_changed),
                      before)
    release = old.release + 1 if not changes.empty else old.release
    retired = {k: v if v.mod else replace(v, mod=fresh, release=release)
               for k, v in old.retired.items() if k not in notes}
    retired.update({k: RetiredNote(old.notes[k].guid, old.notes[k].kind, old.notes[k].label, release, fresh,
                                   _cards(old.notes[k])) for k in gone if k in old.notes})
    mods = [*(n.mod for n in notes.values()), *(r.mod for r in retired.values()),
            *(t.mod for t in note_types.values())]
    return Lock(deck=deck.key, release=release, released=max(mods, default=old.released),
                note_types=note_types, notes=notes, retired=dict(sorted(retired.items())),
                changes=changes if not changes.empty else old.changes, decks=decks)


def _cards(note: LockedNote) -> tuple[int, ...]:
    """The card ordinals of a released note: one per gap of a cloze, else the one card."""
    return tuple(sorted({number - 1 for number, _ in note.clozes})) if note.clozes else (0,)


def _plan_decks(deck: RenderedDeck, old: Lock, preset: int) -> tuple[dict[str, LockedDeck], list[str]]:
    """Each deck's name and description as released, the parent deck's with the plan's preset; a lock
    from before decks were recorded takes them as they are (no release just for recording them)."""
    root = deck.decks[0].id
    planned = {str(sub.id): LockedDeck(sub.name, content_digest(
        [sub.name, sub.description, *([preset] if preset and sub.id == root else [])])) for sub in deck.decks}
    if old.decks is None:
        return planned, []
    changed = [sub.name for sub in deck.decks if old.decks.get(str(sub.id)) != planned[str(sub.id)]]
    return planned, changed


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
