"""The .apkg: genanki writes the collection on a connection we own, zipfile packs it with fixed metadata.

genanki is the package writer. Where we need more than it gives, its classes are extended at that point:
each note and its cards carry the note's released modification time (genanki stamps every row with one
time), note types their own time, and decks their preset. The same deck, lock and media give the same
bytes: note and card IDs count up from the release time, and every zip entry has the same time and
attributes.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from generator.anki.curriculum import Curriculum, note_cards
from generator.anki.notetypes import NOTE_TYPES, NoteType, stylesheet
from generator.anki.render import CardNote, RenderedDeck
from generator.model import NoteKind
from generator.source.media import MediaFile

EARLIEST_ZIP_TIME = 315_532_800  # 1980-01-01, the earliest time a zip entry can hold
ENTRY_MODE = 0o644 << 16  # rw-r--r--, as a Unix zip tool records it
CHUNK = 1 << 20  # the database is copied into the zip in pieces: never all of it in memory


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


class PlacedCard(genanki.Card):  # type: ignore[misc]
    """A card with its own position among the new cards (genanki gives every card its note's)."""

    def __init__(self, ordinal: int, position: int) -> None:
        super().__init__(ordinal)
        self.position = position

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, note_id: int, id_gen: Any,
                    due: int = 0) -> None:
        super().write_to_db(cursor, timestamp, deck_id, note_id, id_gen, self.position)


class TimedNote(genanki.Note):  # type: ignore[misc]
    """A note whose row and cards carry its own modification time: Anki's importer updates a note only if
    the package's time is newer than the learner's copy, so unchanged notes must keep theirs. Its cards
    are placed by the curriculum."""

    def __init__(self, model: TimedModel, note: CardNote, mod: int, positions: dict[int, int]) -> None:
        super().__init__(model=model, fields=list(note.fields), tags=list(note.tags), guid=note.guid)
        self.mod = mod
        self.placed = [PlacedCard(ordinal, position) for ordinal, position in positions.items()]

    @property
    def cards(self) -> list[PlacedCard]:
        return self.placed

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


class DeckPackage(genanki.Package):  # type: ignore[misc]
    """genanki's Package, writing the decks' and note types' JSON once, and the deck options preset.
    genanki's Deck re-reads and rewrites the JSON for every deck, so the work grows with the square of
    the number of decks: with a description per truth, 170 ms of a 1,000-note build in 99 decks. Rows
    are written as genanki does."""

    def __init__(self, decks: list[PresetDeck], preset: dict[str, Any] | None) -> None:
        super().__init__(decks)
        self.preset = preset

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, id_gen: Any) -> None:
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        if self.preset:
            (presets_json,) = cursor.execute("SELECT dconf FROM col").fetchone()
            presets = json.loads(presets_json) | {str(self.preset["id"]): self.preset}
            cursor.execute("UPDATE col SET dconf = ?", (json.dumps(presets),))
        decks_json, models_json = cursor.execute("SELECT decks, models FROM col").fetchone()
        decks, models = json.loads(decks_json), json.loads(models_json)
        for deck in self.decks:
            decks[str(deck.deck_id)] = deck.to_json()
            for note in deck.notes:
                deck.add_model(note.model)
            models.update({str(m.model_id): m.to_json(timestamp, deck.deck_id) for m in deck.models.values()})
        cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(models)))
        for deck in self.decks:
            for note in deck.notes:
                note.write_to_db(cursor, timestamp, deck.deck_id, id_gen)


@dataclass(frozen=True)
class Times:
    """The modification times a release gives: per note key, per note type kind, and the release's."""

    notes: Mapping[str, int]
    note_types: Mapping[str, int]
    released: int


@dataclass(frozen=True)
class PackageContent:
    """What goes into the package besides the media."""

    deck: RenderedDeck
    times: Times
    description: str  # the parent deck's (HTML)
    curriculum: Curriculum  # every card's position, and the preset
    withdrawn: tuple[CardNote, ...] = ()  # retired notes, shipped without cards


def genanki_decks(content: PackageContent) -> list[PresetDeck]:
    """The parent deck, then a deck per truth with its notes, in order; each card at its position."""
    deck, times, curriculum = content.deck, content.times, content.curriculum
    css = stylesheet()
    models: dict[NoteKind, TimedModel] = {
        kind: TimedModel(note_type, times.note_types[kind], css) for kind, note_type in NOTE_TYPES.items()}
    decks = {sub.id: PresetDeck(sub.id, sub.name, sub.description, curriculum.preset_id)
             for sub in deck.decks}
    decks[deck.decks[0].id].description = content.description
    for note in deck.notes:
        positions = {ordinal: curriculum.positions[key, ordinal] for key, ordinal in note_cards(note)}
        decks[note.deck_id].add_note(TimedNote(models[note.note_type.kind], note, times.notes[note.key],
                                               positions))
    for note in content.withdrawn:  # the note alone: cards would be new cards to whoever lacks them
        decks[note.deck_id].add_note(TimedNote(models[note.note_type.kind], note, times.notes[note.key], {}))
    return list(decks.values())


@contextmanager
def collection_file(content: PackageContent) -> Iterator[Path]:
    """The package's collection database, written by genanki on a connection we own, in a temporary
    folder named after this process and removed afterwards (also when the build is stopped)."""
    with tempfile.TemporaryDirectory(prefix=f"wahrheiten-deck-{os.getpid()}-") as folder:
        path = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA journal_mode = OFF")  # zipped and deleted right after
            package = DeckPackage(genanki_decks(content), content.curriculum.preset)
            released = content.times.released
            package.write_to_db(connection.cursor(), released, itertools.count(released * 1000))
            connection.commit()
        finally:
            connection.close()
        yield path


def write_package(stream: BinaryIO, collection: Path, media: tuple[MediaFile, ...], timestamp: int) -> None:
    """The .apkg: the collection database and the media, with fixed entry metadata, written to `stream`."""
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        entry = _entry("collection.anki2", timestamp)
        with collection.open("rb") as source, archive.open(entry, "w") as target:
            shutil.copyfileobj(source, target, CHUNK)
        archive.writestr(_entry("media", timestamp),
                         json.dumps({str(i): m.name for i, m in enumerate(media)}).encode())
        for index, item in enumerate(media):
            archive.writestr(_entry(str(index), timestamp), item.data)


def _entry(name: str, timestamp: int) -> zipfile.ZipInfo:
    """A zip entry that looks the same on every machine (zipfile records the platform by default)."""
    moment = time.gmtime(max(timestamp, EARLIEST_ZIP_TIME))[:6]
    info = zipfile.ZipInfo(name, date_time=moment)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = ENTRY_MODE
    return info
