"""Deterministic, atomic .apkg writing: genanki's collection format, with every row written in bulk.

genanki defines the format (its schema, its collection row, its note type and deck JSON, its card
rules). Its own writer inserts one row at a time and re-reads and rewrites the decks and note types
JSON once per subdeck; at 10,000 notes that was most of the packaging time. Here the same rows are
inserted with executemany and the JSON is written once. tests/test_package.py checks that every row
and every JSON value equals what genanki.Package writes for the same notes.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from generator.lock import Lock
from generator.media import MediaFile
from generator.notetypes import NOTE_TYPES, NoteType, stylesheet
from generator.render import CardNote, RenderedDeck

# Measured on a 10,000-note collection: level 2 takes a third of the default level's time (43 ms, not
# 126 ms) for a fifth more bytes (1.7 MB, not 1.5 MB).
COMPRESS_LEVEL = 2
EARLIEST_ZIP_TIME = 315_532_800  # 1980-01-01, the earliest time a zip entry can hold
INSERT_NOTE = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)"  # genanki's statements
INSERT_CARD = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
CLOZE_NUMBER = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)  # genanki.Note._cloze_cards' pattern
CLOZE_FIELD = re.compile(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}")
Row = tuple[Any, ...]


class _TimedModel(genanki.Model):  # type: ignore[misc]
    """A genanki model whose modification time comes from the lock, not from the build time."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(timestamp, deck_id)
        data["mod"] = self.mod
        return data


def build_models(lock: Lock) -> dict[str, genanki.Model]:
    css = stylesheet()
    return {kind: _model(note_type, css, lock.note_types[kind].mod) for kind, note_type in NOTE_TYPES.items()}


def _model(note_type: NoteType, css: str, mod: int) -> genanki.Model:
    return _TimedModel(
        mod, model_id=note_type.id, name=note_type.name, css=css,
        fields=[{"name": name} for name in note_type.fields],
        templates=[{"name": name, "qfmt": front, "afmt": back}
                   for name, front, back in note_type.template_html()],
        model_type=genanki.Model.CLOZE if note_type.is_cloze else genanki.Model.FRONT_BACK,
    )


class _CardRule:
    """Which cards a note of one model gets: genanki.Note's rules, worked out once per model."""

    def __init__(self, model: genanki.Model) -> None:
        self.cloze = model.model_type == genanki.Model.CLOZE
        names = [f["name"] for f in model.fields]
        qfmt = model.templates[0]["qfmt"]
        referenced = set(CLOZE_FIELD.findall(qfmt) + re.findall("<%cloze:(.+?)%>", qfmt))
        self.cloze_fields = [names.index(n) for n in referenced if n in names] if self.cloze else []
        self.required = [] if self.cloze else [(o, {"any": any, "all": all}[how], fields)
                                               for o, how, fields in model._req]

    def ordinals(self, fields: tuple[str, ...]) -> Iterable[int]:
        if not self.cloze:
            return [o for o, how, wanted in self.required if how(fields[i] for i in wanted)]
        found: set[int] = set()
        for index in self.cloze_fields:
            found.update(int(m) - 1 for m in CLOZE_NUMBER.findall(fields[index]) if int(m) > 0)
        return found  # iterated as genanki iterates it: card IDs follow the same order


def package_bytes(deck: RenderedDeck, lock: Lock, media: tuple[MediaFile, ...], description: str) -> bytes:
    """The whole .apkg in memory: same deck, lock and media give the same bytes."""
    with tempfile.TemporaryDirectory(prefix="wahrheiten-") as tmp:
        database = Path(tmp) / "collection.anki2"
        connection = sqlite3.connect(database)
        try:
            # A scratch file, zipped and deleted right after: no rollback journal, no waiting for the disk.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            write_collection(connection, deck, lock, description)
            connection.commit()
        finally:
            connection.close()
        return _zip(database, media, lock.released)


def write_collection(connection: sqlite3.Connection, deck: RenderedDeck, lock: Lock,
                     description: str) -> None:
    """The rows genanki.Package(decks).write_to_db writes, in its order and with its IDs.

    Subdecks are written in order, each with its notes in order; note and card IDs count up from
    the release time (times 1000) as genanki's id generator does.
    """
    models = build_models(lock)
    by_deck: dict[int, list[tuple[int, CardNote]]] = {sub.id: [] for sub in deck.decks}
    for due, note in enumerate(deck.notes):  # new cards come in the order of the content
        by_deck[note.deck_id].append((due, note))
    cursor = connection.cursor()
    cursor.executescript(APKG_SCHEMA)
    cursor.executescript(APKG_COL)
    decks_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
    models_json = json.loads(cursor.execute("SELECT models FROM col").fetchone()[0])
    last_deck: dict[str, int] = {}  # genanki writes a note type's JSON with each deck: the last ID stays
    for sub in deck.decks:
        text = description if sub.id == deck.decks[0].id else sub.description
        decks_json[str(sub.id)] = genanki.Deck(sub.id, sub.name, text).to_json()
        last_deck.update((n.note_type.kind, sub.id) for _, n in by_deck[sub.id])
    for kind, deck_id in last_deck.items():
        models_json[str(models[kind].model_id)] = models[kind].to_json(lock.released, deck_id)
    cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks_json), json.dumps(models_json)))
    rules = {kind: _CardRule(model) for kind, model in models.items()}
    cards: list[Row] = []
    cursor.executemany(INSERT_NOTE, _note_rows(by_deck, models, rules, lock, cards))
    cursor.executemany(INSERT_CARD, cards)


def _note_rows(by_deck: dict[int, list[tuple[int, CardNote]]], models: dict[str, genanki.Model],
               rules: dict[str, _CardRule], lock: Lock, cards: list[Row]) -> Iterator[Row]:
    """Note rows, one at a time; their cards' rows are collected in `cards` meanwhile."""
    ids = itertools.count(lock.released * 1000)
    locked = lock.notes
    for deck_id, notes in by_deck.items():
        for due, note in notes:
            kind = note.note_type.kind
            model, fields, mod = models[kind], note.fields, locked[note.key].mod
            if len(fields) != len(model.fields) or any(" " in tag for tag in note.tags):
                raise ValueError(f"note {note.key}: {len(fields)} fields, or a tag with a space")
            note_id = next(ids)
            yield (note_id, note.guid, model.model_id, mod, -1, f" {' '.join(note.tags)} ",
                   "\x1f".join(fields), fields[model.sort_field_index], 0, 0, "")
            for ordinal in rules[kind].ordinals(fields):
                cards.append((next(ids), note_id, deck_id, ordinal, mod, -1, 0, 0, due,
                              0, 0, 0, 0, 0, 0, 0, 0, ""))


def _zip(collection: Path, media: tuple[MediaFile, ...], timestamp: int) -> bytes:
    stamp = time.gmtime(max(timestamp, EARLIEST_ZIP_TIME))[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        with collection.open("rb") as stream, archive.open(_entry("collection.anki2", stamp,
                                                                  collection.stat().st_size), "w") as entry:
            shutil.copyfileobj(stream, entry)  # streamed: the database is never all in memory
        entries = [("media", json.dumps({str(i): m.name for i, m in enumerate(media)}).encode())]
        entries += [(str(i), m.data) for i, m in enumerate(media)]
        for name, data in entries:
            archive.writestr(_entry(name, stamp, len(data)), data)
    return buffer.getvalue()


def _entry(name: str, stamp: tuple[int, ...], size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    # Entries written from a ZipInfo take its level, not the archive's: compress_level from Python 3.13 on.
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", COMPRESS_LEVEL)
    info.external_attr = 0o644 << 16
    info.file_size = size  # as writestr sets it: decides the zip64 header the same way
    return info


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file.

    `data` is the bytes or an iterable of chunks of them (large text need not exist in memory at once).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, bytes):
                stream.write(data)
            else:
                stream.writelines(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
