"""Deterministic, atomic .apkg writing: genanki's collection format, with every row written in bulk.

genanki defines the format (generator/ankiformat.py follows it without importing it). Its own writer
inserts one row at a time and re-reads and rewrites the decks and note types JSON once per subdeck;
at 10,000 notes that was most of the packaging time. Here the same rows are inserted with
executemany and the JSON is written once. tests/test_package.py checks that every row and every
JSON value equals what genanki.Package writes for the same notes.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from generator.ankiformat import COLLECTION_ROW, SCHEMA_INDEXES, SCHEMA_TABLES, NoteTypeFormat, deck_json
from generator.lock import Lock
from generator.media import MediaFile
from generator.model import NoteKind
from generator.notetypes import NOTE_TYPES, stylesheet
from generator.render import CardNote, RenderedDeck
from generator.zipwriter import ZipWriter

ZIP_CHUNK = 1 << 20  # fixed: ISA-L's deflate output depends on where the chunks end
EARLIEST_ZIP_TIME = 315_532_800  # 1980-01-01, the earliest time a zip entry can hold
# genanki's rows; the values that are the same in every row are written into the statement (binding
# fewer values per row: measured a fifth less time for the inserts). Bound per note: id, guid, note type,
# mod, tags, fields, sort field; per card: id, note, deck, ordinal, mod, due.
INSERT_NOTE = "INSERT INTO notes VALUES(?,?,?,?,-1,?,?,?,0,0,'')"
INSERT_CARD = "INSERT INTO cards VALUES(?,?,?,?,?,-1,0,0,?,0,0,0,0,0,0,0,0,'')"
Row = tuple[Any, ...]


def note_type_formats() -> dict[str, NoteTypeFormat]:
    css = stylesheet()
    return {kind: NoteTypeFormat(note_type, css) for kind, note_type in NOTE_TYPES.items()}


def package_bytes(deck: RenderedDeck, lock: Lock, media: tuple[MediaFile, ...], description: str) -> bytes:
    """The whole .apkg in memory: same deck, lock and media give the same bytes."""
    buffer = io.BytesIO()
    with scratch_collection(deck, lock, description) as database:
        zip_package(buffer, database, media, lock.released)
    return buffer.getvalue()


@contextmanager
def scratch_collection(deck: RenderedDeck, lock: Lock, description: str) -> Iterator[Path]:
    """The package's collection database, in a scratch folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="wahrheiten-") as tmp:
        database = Path(tmp) / "collection.anki2"
        connection = sqlite3.connect(database)
        try:
            # Zipped and deleted right after: no rollback journal, no waiting for the disk. Pages of 16 KiB
            # (before anything is written; Anki reads any page size): measured at 50,000 notes, an eighth
            # less time and a tenth fewer bytes than the default 4 KiB.
            connection.execute("PRAGMA page_size = 16384")
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            write_collection(connection, deck, lock, description)
            connection.commit()
        finally:
            connection.close()
        yield database


def write_collection(connection: sqlite3.Connection, deck: RenderedDeck, lock: Lock,
                     description: str) -> None:
    """The rows genanki.Package(decks).write_to_db writes, in its order and with its IDs.

    Subdecks are written in order, each with its notes in order; note and card IDs count up from
    the release time (times 1000) as genanki's id generator does.
    """
    formats = note_type_formats()
    by_deck: dict[int, list[tuple[int, CardNote]]] = {sub.id: [] for sub in deck.decks}
    for due, note in enumerate(deck.notes):  # new cards come in the order of the content
        by_deck[note.deck_id].append((due, note))
    cursor = connection.cursor()
    cursor.executescript(SCHEMA_TABLES)
    cursor.executescript(COLLECTION_ROW)
    decks_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
    models_json = json.loads(cursor.execute("SELECT models FROM col").fetchone()[0])
    last_deck: dict[NoteKind, int] = {}  # genanki writes a note type's JSON with each deck: the last ID stays
    for sub in deck.decks:
        text = description if sub.id == deck.decks[0].id else sub.description
        decks_json[str(sub.id)] = deck_json(sub.id, sub.name, text)
        last_deck.update((n.note_type.kind, sub.id) for _, n in by_deck[sub.id])
    for kind, deck_id in last_deck.items():
        models_json[str(NOTE_TYPES[kind].id)] = formats[kind].json(lock.note_types[kind].mod, deck_id)
    cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks_json), json.dumps(models_json)))
    ids = itertools.count(lock.released * 1000)
    for deck_id, notes in by_deck.items():  # a subdeck's rows at a time: they are never all in memory
        cards: list[Row] = []
        cursor.executemany(INSERT_NOTE, _note_rows(deck_id, notes, lock, ids, cards))
        cursor.executemany(INSERT_CARD, cards)
    cursor.executescript(SCHEMA_INDEXES)


def _note_rows(deck_id: int, notes: list[tuple[int, CardNote]], lock: Lock, ids: Iterator[int],
               cards: list[Row]) -> Iterator[Row]:
    """A subdeck's note rows as genanki.Note writes them, one at a time; their cards' rows go to `cards`.

    Note and card IDs come from `ids`, in genanki's order: a note, then its cards.
    """
    locked = lock.notes
    tag_texts: dict[tuple[str, ...], str] = {}  # the notes of a truth share their tags
    for due, note in notes:
        note_type, fields, tags, mod = note.note_type, note.fields, note.tags, locked[note.key].mod
        tag_text = tag_texts.get(tags)
        if tag_text is None:
            if any(" " in tag for tag in tags):
                raise ValueError(f"note {note.key}: a tag with a space")
            tag_text = tag_texts[tags] = f" {' '.join(tags)} "
        if len(fields) != len(note_type.fields):
            raise ValueError(f"note {note.key}: {len(fields)} fields for {len(note_type.fields)}")
        note_id = next(ids)
        sort_field = fields[0]  # as genanki: the first field
        yield note_id, note.guid, note_type.id, mod, tag_text, "\x1f".join(fields), sort_field
        for ordinal in note.cards:
            cards.append((next(ids), note_id, deck_id, ordinal, mod, due))


def zip_package(stream: BinaryIO, database: Path, media: tuple[MediaFile, ...], timestamp: int) -> None:
    """The .apkg: the collection database and the media, with fixed entry times, written to `stream`."""
    archive = ZipWriter(stream, max(timestamp, EARLIEST_ZIP_TIME))
    with database.open("rb") as collection:
        archive.add("collection.anki2", iter(partial(collection.read, ZIP_CHUNK), b""))  # never all in memory
    archive.add("media", [json.dumps({str(i): m.name for i, m in enumerate(media)}).encode()])
    for index, item in enumerate(media):
        archive.add(str(index), [item.data])
    archive.close()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


class StagedFile:
    """A file written beside `path` under a temporary name; `commit` puts it in place in one rename.

    Readers never see half a file, and several files can be written before any of them replaces
    the one it stands for.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(handle)
        self.path, self.temporary = path, Path(temporary)

    def write(self, data: bytes | Iterable[bytes]) -> None:
        """The file's content: bytes, or an iterable of chunks (large text need not be in memory at once)."""
        chunks = [data] if isinstance(data, bytes) else data
        self.write_with(lambda stream: stream.writelines(chunks))

    def write_with(self, writer: Callable[[BinaryIO], object]) -> None:
        """The file's content, from `writer` writing to the open file; on the disk when this returns."""
        with self.temporary.open("wb") as stream:
            writer(stream)
            stream.flush()
            os.fsync(stream.fileno())

    def commit(self) -> None:
        mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o666 & ~_umask()
        os.chmod(self.temporary, mode)
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file.

    `data` is the bytes or an iterable of chunks of them (large text need not exist in memory at once).
    """
    staged = StagedFile(path)
    try:
        staged.write(data)
        staged.commit()
    except BaseException:
        staged.discard()
        raise
