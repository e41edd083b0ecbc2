"""Read notes out of an .apkg: to check that floor and build wrote the same notes, and to feed the floor."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

NoteRow = tuple[str, int, str, str]  # guid, note type id, tags, fields joined by \x1f
NOTES_WITH_DECK = ("SELECT n.mid, n.guid, n.flds, n.tags, (SELECT did FROM cards WHERE nid = n.id LIMIT 1) "
                   "FROM notes AS n ORDER BY n.id")


def query(package: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one query against the package's collection."""
    with zipfile.ZipFile(package) as archive, tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "collection.anki2"
        database.write_bytes(archive.read("collection.anki2"))
        connection = sqlite3.connect(database)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()


def package_notes(package: Path) -> list[NoteRow]:
    """Every note's GUID, note type, tags and fields, sorted by GUID."""
    rows = query(package, "SELECT guid, mid, tags, flds FROM notes ORDER BY guid")
    return [(str(g), int(m), str(t), str(f)) for g, m, t, f in rows]


def first_difference(left: list[NoteRow], right: list[NoteRow]) -> str:
    """"" if both hold the same notes, otherwise a short description of the first difference."""
    if len(left) != len(right):
        return f"{len(left)} notes against {len(right)}"
    for a, b in zip(left, right, strict=True):
        if a != b:
            return f"first different note:\n  {a!r}\n  {b!r}"
    return ""


def floor_input(package: Path, kinds: dict[int, str]) -> tuple[list[list[Any]], list[list[Any]]]:
    """The decks and notes of a built package in the floor's input form (for real content)."""
    decks = json.loads(query(package, "SELECT decks FROM col")[0][0])
    notes = [[kinds[int(m)], str(g), str(f).split("\x1f"), str(t).split(), int(d)]
             for m, g, f, t, d in query(package, NOTES_WITH_DECK)]
    used = {note[4] for note in notes}
    return [[int(k), v["name"]] for k, v in decks.items() if int(k) in used], notes
