"""The floor: a bare genanki script writing the same notes (fields, note types, GUIDs), no Markdown.

Usage: python bench/floor.py NOTES.json OUTPUT.apkg. It imports only json and genanki, so that
start-up is what any genanki user pays.
"""

from __future__ import annotations

import json
import sys

import genanki


def main(source: str, output: str) -> None:
    with open(source, encoding="utf-8") as stream:
        data = json.load(stream)
    models = {kind: genanki.Model(**spec) for kind, spec in data["models"].items()}
    decks = {deck_id: genanki.Deck(deck_id, name) for deck_id, name in data["decks"]}
    for due, (kind, guid, fields, tags, deck_id) in enumerate(data["notes"]):
        note = genanki.Note(model=models[kind], fields=fields, tags=tags, guid=guid, due=due)
        decks[deck_id].add_note(note)
    genanki.Package(list(decks.values())).write_to_file(output, timestamp=1_800_000_000)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
