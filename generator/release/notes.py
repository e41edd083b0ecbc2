"""The release notes (CHANGES.md): what a release adds, changes and retires, in plain text, with each
changed note's released and new text side by side, so that a trainer or a compliance officer can
approve a release from it; with the Anki searches that find retired notes."""

from __future__ import annotations

from difflib import SequenceMatcher

from generator.anki.notetypes import KEY_FIELD, NOTE_TYPES
from generator.anki.render import RenderedDeck
from generator.release.lock import Lock
from generator.release.withdrawn import withdrawn_search


def release_notes(deck: RenderedDeck, lock: Lock) -> str:
    """build/CHANGES.md for the release the lock records."""
    changes = lock.changes
    lines = [f"# {deck.title}: Version {lock.release}", "", f"## Neu ({len(changes.added)})", ""]
    lines += [f"- {lock.notes[k].label} (`{k}`)" for k in changes.added]
    lines += ["", f"## Geändert ({len(changes.changed)})", ""]
    before = dict(changes.before)
    for key in changes.changed:
        lines += _changed(key, lock, before.get(key, ""))
    lines += ["", f"## Entfernt ({len(changes.retired)})", ""]
    for key in changes.retired:
        label = lock.retired[key].label if key in lock.retired else key
        lines.append(f"- {label} — in Anki suchen: `{KEY_FIELD}:{key}`")
    if changes.retired:
        search = " OR ".join(f"{KEY_FIELD}:{k}" for k in changes.retired)
        lines += ["", "Anki löscht beim Import nie etwas. Das Paket liefert diese Notizen deshalb als "
                  "„zurückgezogen“ aus (ihr Text sagt es, neue Lernende bekommen keine Karten davon). "
                  "Lernende finden alle zurückgezogenen Karten im Kartenbrowser mit", "",
                  f"    {withdrawn_search(deck.key)}", "",
                  "und löschen sie; nur die dieser Version findet", "", f"    {search}"]
    if changes.decks:
        lines += ["", "Neue oder geänderte Beschreibungen (Anki übernimmt sie beim Import): "
                  + ", ".join(f"„{name}“" for name in changes.decks)]
    if changes.note_types:
        lines += ["", "Kartenvorlagen oder Stil wurden geändert: "
                  + ", ".join(NOTE_TYPES[k].name for k in changes.note_types)]  # type: ignore[index]
    return "\n".join(lines).rstrip() + "\n"


def _changed(key: str, lock: Lock, old: str) -> list[str]:
    new = lock.notes[key].text
    if not old:  # released before the lock kept texts
        return [f"- {lock.notes[key].label} (`{key}`)"]
    was, now = word_diff(old, new)
    return [f"- `{key}`", "", "  | bisher | neu |", "  |---|---|", f"  | {_cell(was)} | {_cell(now)} |", ""]


def word_diff(old: str, new: str) -> tuple[str, str]:
    """Both texts with the words that differ marked: ~~removed~~ in the old, **added** in the new."""
    before, after = old.split(), new.split()
    was: list[str] = []
    now: list[str] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if op == "equal":
            was += before[a1:a2]
            now += after[b1:b2]
            continue
        if a2 > a1:
            was.append("~~" + " ".join(before[a1:a2]) + "~~")
        if b2 > b1:
            now.append("**" + " ".join(after[b1:b2]) + "**")
    return " ".join(was), " ".join(now)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
