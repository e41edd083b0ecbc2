"""Deterministic, atomic .apkg writing with genanki: per-note modification times, fixed zip entries."""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import genanki

from generator.lock import Lock
from generator.media import MediaFile
from generator.notetypes import NOTE_TYPES, NoteType, stylesheet
from generator.render import CardNote, RenderedDeck

EARLIEST_ZIP_TIME = 315_532_800  # 1980-01-01, the earliest time a zip entry can hold
INSERT_NOTE = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);"  # genanki's statements
INSERT_CARD = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"


class _TimedModel(genanki.Model):  # type: ignore[misc]
    """A genanki model whose modification time comes from the lock, not from the build time."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(timestamp, deck_id)
        data["mod"] = self.mod
        return data


class _TimedNote:
    """A note as genanki.Deck writes it: the rows genanki.Note writes, in the same order, with the
    modification time from the lock.

    It holds only the rendered note; the rows are made while writing (measured: genanki.Note's
    copies of every field took 35 MB at 50,000 notes). Card ordinals come from genanki's own code.
    """

    __slots__ = ("mod", "model", "note")

    def __init__(self, note: CardNote, model: genanki.Model, mod: int) -> None:
        if len(model.fields) != len(note.fields) or any(" " in tag for tag in note.tags):
            raise ValueError(f"note {note.key}: {len(note.fields)} fields, or a tag with a space")
        self.model, self.mod, self.note = model, mod, note

    @property
    def fields(self) -> list[str]:
        return list(self.note.fields)

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Any) -> None:
        note, fields = self.note, self.note.fields
        note_id = next(id_gen)
        cursor.execute(INSERT_NOTE, (note_id, note.guid, self.model.model_id, self.mod, -1,
                                     f" {' '.join(note.tags)} ", "\x1f".join(fields),
                                     fields[self.model.sort_field_index], 0, 0, ""))
        cloze = self.model.model_type == genanki.Model.CLOZE
        for card in genanki.Note._cloze_cards(self) if cloze else genanki.Note._front_back_cards(self):
            cursor.execute(INSERT_CARD, (next(id_gen), note_id, deck_id, card.ord, self.mod, -1, 0,
                                         -1 if card.suspend else 0, note.due, 0, 0, 0, 0, 0, 0, 0, 0, ""))


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


def package_bytes(deck: RenderedDeck, lock: Lock, media: tuple[MediaFile, ...], description: str) -> bytes:
    """The whole .apkg in memory: same deck, lock and media give the same bytes."""
    models = build_models(lock)
    decks = {sub.id: genanki.Deck(sub.id, sub.name, sub.description) for sub in deck.decks}
    decks[deck.decks[0].id].description = description
    for note in deck.notes:
        decks[note.deck_id].add_note(_note(note, models, lock))
    with tempfile.TemporaryDirectory(prefix="wahrheiten-") as tmp:
        database = Path(tmp) / "collection.anki2"
        connection = sqlite3.connect(database)
        genanki.Package(list(decks.values())).write_to_db(
            connection.cursor(), lock.released, itertools.count(lock.released * 1000))
        connection.commit()
        connection.close()
        return _zip(database, media, lock.released)


def _note(note: CardNote, models: dict[str, genanki.Model], lock: Lock) -> _TimedNote:
    return _TimedNote(note, models[note.note_type.kind], lock.notes[note.key].mod)


def _zip(collection: Path, media: tuple[MediaFile, ...], timestamp: int) -> bytes:
    stamp = time.gmtime(max(timestamp, EARLIEST_ZIP_TIME))[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
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
