"""The .apkg: genanki writes the collection on a connection we own, zipfile packs it with fixed metadata.

genanki is the package writer. Where we need more than it gives, its classes are extended at that point:
each note and its cards carry the note's released modification time (genanki stamps every row with one
time), note types their own time, and decks their preset. The same deck, lock and media give the same
bytes: the database lives in memory (nothing is left on disk if a build stops), note and card IDs
count up from the release time, and every zip entry has the same time and attributes.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

import genanki

from generator.anki.notetypes import NOTE_TYPES, NoteType, stylesheet
from generator.anki.render import CardNote, RenderedDeck
from generator.model import NoteKind
from generator.source.media import MediaFile

EARLIEST_ZIP_TIME = 315_532_800  # 1980-01-01, the earliest time a zip entry can hold
ENTRY_MODE = 0o644 << 16  # rw-r--r--, as a Unix zip tool records it


class TimedModel(genanki.Model):  # type: ignore[misc]
    """A note type whose modification time is its own (from the lock), not the build's."""

    def __init__(self, note_type: NoteType, mod: int, css: str) -> None:
        super().__init__(
            note_type.id, note_type.name, fields=[{"name": name} for name in note_type.fields],
            templates=[{"name": name, "qfmt": front, "afmt": back}
                       for name, front, back in note_type.template_html()],
            css=css, model_type=genanki.Model.CLOZE if note_type.is_cloze else genanki.Model.FRONT_BACK)
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(timestamp, deck_id)
        data["mod"] = self.mod
        return data


class TimedNote(genanki.Note):  # type: ignore[misc]
    """A note whose row and cards carry its own modification time: Anki's importer updates a note only if
    the package's time is newer than the learner's copy, so unchanged notes must keep theirs."""

    def __init__(self, model: TimedModel, note: CardNote, mod: int, due: int) -> None:
        super().__init__(model=model, fields=list(note.fields), tags=list(note.tags), guid=note.guid, due=due)
        self.mod = mod

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


class PresetDeck(genanki.Deck):  # type: ignore[misc]
    """A deck with a deck options preset (genanki writes every deck with preset 1, Anki's default)."""

    def __init__(self, deck_id: int, name: str, description: str, preset: int = 1) -> None:
        super().__init__(deck_id, name, description)
        self.preset = preset

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json()
        data["conf"] = self.preset
        return data


@dataclass(frozen=True)
class Times:
    """The modification times a release gives: per note key, per note type kind, and the release's."""

    notes: Mapping[str, int]
    note_types: Mapping[str, int]
    released: int


def genanki_decks(deck: RenderedDeck, times: Times, description: str) -> list[PresetDeck]:
    """The parent deck, then a deck per truth with its notes, in order: new cards are due in this order."""
    css = stylesheet()
    models: dict[NoteKind, TimedModel] = {
        kind: TimedModel(note_type, times.note_types[kind], css) for kind, note_type in NOTE_TYPES.items()}
    decks = {sub.id: PresetDeck(sub.id, sub.name, sub.description) for sub in deck.decks}
    decks[deck.decks[0].id].description = description
    for due, note in enumerate(deck.notes):
        model = models[note.note_type.kind]
        decks[note.deck_id].add_note(TimedNote(model, note, times.notes[note.key], due))
    return list(decks.values())


def collection_bytes(deck: RenderedDeck, times: Times, description: str) -> bytes:
    """The package's collection database, written by genanki into an in-memory database."""
    connection = sqlite3.connect(":memory:")
    try:
        package = genanki.Package(genanki_decks(deck, times, description))
        package.write_to_db(connection.cursor(), times.released, itertools.count(times.released * 1000))
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


def write_package(stream: BinaryIO, collection: bytes, media: tuple[MediaFile, ...], timestamp: int) -> None:
    """The .apkg: the collection database and the media, with fixed entry metadata, written to `stream`."""
    entries = [("collection.anki2", collection),
               ("media", json.dumps({str(i): m.name for i, m in enumerate(media)}).encode())]
    entries += [(str(index), item.data) for index, item in enumerate(media)]
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(_entry(name, timestamp), data)


def _entry(name: str, timestamp: int) -> zipfile.ZipInfo:
    """A zip entry that looks the same on every machine (zipfile records the platform by default)."""
    moment = time.gmtime(max(timestamp, EARLIEST_ZIP_TIME))[:6]
    info = zipfile.ZipInfo(name, date_time=moment)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = ENTRY_MODE
    return info
