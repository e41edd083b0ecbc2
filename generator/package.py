"""Deterministic, atomic .apkg writing with genanki: per-note modification times, fixed zip entries."""

from __future__ import annotations

import io
import itertools
import json
import os
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import genanki

from generator.lock import Lock
from generator.media import MediaFile
from generator.notetypes import NOTE_TYPES, NoteType, stylesheet
from generator.render import CardNote, RenderedDeck

EARLIEST_ZIP_TIME = 315_532_800  # 1980-01-01, the earliest time a zip entry can hold


class _TimedModel(genanki.Model):  # type: ignore[misc]
    """A genanki model whose modification time comes from the lock, not from the build time."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(timestamp, deck_id)
        data["mod"] = self.mod
        return data


class _TimedNote(genanki.Note):  # type: ignore[misc]
    """A genanki note written with its own modification time from the lock."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


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
        return _zip(database.read_bytes(), media, lock.released)


def _note(note: CardNote, models: dict[str, genanki.Model], lock: Lock) -> genanki.Note:
    return _TimedNote(lock.notes[note.key].mod, model=models[note.note_type.kind], fields=list(note.fields),
                      tags=list(note.tags), guid=note.guid, due=note.due)


def _zip(collection: bytes, media: tuple[MediaFile, ...], timestamp: int) -> bytes:
    stamp = time.gmtime(max(timestamp, EARLIEST_ZIP_TIME))[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [("collection.anki2", collection),
                   ("media", json.dumps({str(i): m.name for i, m in enumerate(media)}).encode())]
        entries += [(str(i), m.data) for i, m in enumerate(media)]
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
