"""What a learner's Anki gets from a package, as plain data: notes, cards, note types and decks.

Row IDs of notes and cards are left out (Anki matches notes by GUID and keeps its own IDs); everything
that reaches a learner or decides what the importer does is in.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any


def package_summary(package: Path) -> dict[str, Any]:
    with zipfile.ZipFile(package) as archive, tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "collection.anki2"
        database.write_bytes(archive.read("collection.anki2"))
        media = json.loads(archive.read("media"))
        media_digests = {name: hashlib.sha256(archive.read(index)).hexdigest()
                         for index, name in media.items()}
        connection = sqlite3.connect(database)
        try:
            return _summary(connection) | {"media": dict(sorted(media_digests.items()))}
        finally:
            connection.close()


def _summary(connection: sqlite3.Connection) -> dict[str, Any]:
    row = connection.execute("SELECT decks, models, dconf FROM col").fetchone()
    decks_json, models_json, dconf_json = row
    decks = {int(i): d for i, d in json.loads(decks_json).items()}
    models = {int(i): m for i, m in json.loads(models_json).items()}
    notes = {}
    for note_id, guid, mid, mod, tags, flds in connection.execute(
            "SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id"):
        cards = [{"ord": ordinal, "deck": decks[did]["name"], "due": due}
                 for ordinal, did, due in connection.execute(
                     "SELECT ord, did, due FROM cards WHERE nid = ? ORDER BY ord", (note_id,))]
        notes[guid] = {"note_type": models[mid]["name"], "mod": mod, "tags": tags.split(),
                       "fields": flds.split("\x1f"), "cards": cards}
    return {
        "decks": [{"id": i, "name": d["name"], "desc": d.get("desc", ""), "conf": d.get("conf")}
                  for i, d in sorted(decks.items())],
        "deck_presets": sorted(json.loads(dconf_json)),
        "note_types": [{"id": i, "name": m["name"], "mod": m["mod"], "type": m["type"],
                        "fields": [f["name"] for f in m["flds"]],
                        "templates": [{"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]}
                                      for t in m["tmpls"]],
                        "css_sha256": hashlib.sha256(m["css"].encode()).hexdigest(), "sortf": m["sortf"]}
                       for i, m in sorted(models.items())],
        "notes": notes,
    }
