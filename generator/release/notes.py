"""The release notes (CHANGES.md): what a release adds, changes and retires, with Anki searches."""

from __future__ import annotations

from generator.anki.notetypes import KEY_FIELD, NOTE_TYPES
from generator.anki.render import RenderedDeck
from generator.release.lock import Lock


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
