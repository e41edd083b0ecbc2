"""The package writer writes exactly what genanki.Package writes for the same notes.

Our writer inserts rows in bulk (genanki inserts one at a time): every row of every table and
every value of the decks and note types JSON is compared with genanki's own output.
"""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import genanki
import pytest
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from generator import ankiformat, pipeline, zipwriter
from generator.description import deck_description
from generator.errors import GeneratorError
from generator.lock import Lock, LockedNoteType
from generator.notetypes import NOTE_TYPES, stylesheet
from tests.conftest import DEFAULT_CONTENT, FIXTURES, copy_content

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synth


class TimedModel(genanki.Model):  # type: ignore[misc]
    """A genanki model with the lock's modification time (genanki writes the build time)."""

    def __init__(self, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        data: dict[str, Any] = super().to_json(timestamp, deck_id)
        data["mod"] = self.mod
        return data


def genanki_models(lock: Lock) -> dict[str, genanki.Model]:
    """Our note types as genanki models."""
    return {
        kind: TimedModel(
            lock.note_types[kind].mod, model_id=note_type.id, name=note_type.name, css=stylesheet(),
            fields=[{"name": name} for name in note_type.fields],
            templates=[{"name": name, "qfmt": front, "afmt": back}
                       for name, front, back in note_type.template_html()],
            model_type=genanki.Model.CLOZE if note_type.is_cloze else genanki.Model.FRONT_BACK)
        for kind, note_type in NOTE_TYPES.items()
    }


def genanki_collection(compiled: pipeline.Compiled, folder: Path) -> Path:
    """The reference: the same notes written by genanki.Package.write_to_db, row by row."""
    deck, lock = compiled.deck, compiled.lock
    models = genanki_models(lock)
    decks = {sub.id: genanki.Deck(sub.id, sub.name, sub.description) for sub in deck.decks}
    decks[deck.decks[0].id].description = _stored_description(compiled)
    for due, note in enumerate(deck.notes):
        decks[note.deck_id].add_note(genanki.Note(
            model=models[note.note_type.kind], fields=list(note.fields), tags=list(note.tags),
            guid=note.guid, due=due))
    path = folder / "genanki.anki2"
    connection = sqlite3.connect(path)
    genanki.Package(list(decks.values())).write_to_db(
        connection.cursor(), lock.released, itertools.count(lock.released * 1000))
    connection.commit()
    connection.close()
    return path


def _stored_description(compiled: pipeline.Compiled) -> str:
    return deck_description(compiled.content.deck, compiled.deck, compiled.lock.release)


def _ours(compiled: pipeline.Compiled, folder: Path) -> Path:
    path = folder / "ours.anki2"
    if not path.exists():
        with zipfile.ZipFile(io.BytesIO(compiled.package)) as archive:
            path.write_bytes(archive.read("collection.anki2"))
    return path


def rows(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        found: dict[str, Any] = {"schema": sorted(db.execute("SELECT type, name, sql FROM sqlite_master"))}
        for table in tables:
            found[table] = db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    col = list(found.pop("col")[0])
    found["col"] = col[:8] + [json.loads(value) if isinstance(value, str) and value[:1] == "{" else value
                              for value in col[8:]]
    return found


def without_mod(found: dict[str, Any]) -> dict[str, Any]:
    """Rows with the note and card modification times left out (genanki uses one time for all)."""
    return {**found, "notes": [r[:3] + r[4:] for r in found["notes"]],
            "cards": [r[:4] + r[5:] for r in found["cards"]]}


def compiled_from(content: Path, tmp_path: Path) -> pipeline.Compiled:
    return pipeline.compile_content(copy_content(content, tmp_path / "content"), now=1_800_000_000)


@pytest.mark.parametrize("source", ["default", "golden", "synthetic"])
def test_rows_and_json_equal_genanki_output(source: str, tmp_path: Path) -> None:
    if source == "synthetic":
        content = tmp_path / "synthetic"
        synth.write_content(content, 600)
    else:
        content = DEFAULT_CONTENT if source == "default" else FIXTURES / "golden" / "content"
    compiled = compiled_from(content, tmp_path)
    ours, reference = rows(_ours(compiled, tmp_path)), rows(genanki_collection(compiled, tmp_path))
    assert len(ours["notes"]) == len(compiled.deck.notes) and ours["cards"]
    assert without_mod(ours) == without_mod(reference)
    mods = {guid: mod for (_, guid, _, mod, *_) in ours["notes"]}
    assert mods == {n.guid: compiled.lock.notes[n.key].mod for n in compiled.deck.notes}
    note_mods = {note_id: mod for (note_id, _, _, mod, *_) in ours["notes"]}
    assert all(card[4] == note_mods[card[1]] for card in ours["cards"])


def test_a_cloze_note_gets_one_card_per_gap_number(tmp_path: Path) -> None:
    compiled = compiled_from(FIXTURES / "golden" / "content", tmp_path)
    found = rows(_ours(compiled, tmp_path))
    ordinals: dict[int, list[int]] = {}
    for card in found["cards"]:
        ordinals.setdefault(card[1], []).append(card[3])
    by_guid = {guid: note_id for (note_id, guid, *_) in found["notes"]}
    for note in compiled.deck.notes:
        expected = [n - 1 for n in note.cloze_numbers] if note.note_type.is_cloze else [0]
        assert sorted(ordinals[by_guid[note.guid]]) == expected


def test_the_format_is_genankis() -> None:
    assert ankiformat.SCHEMA == APKG_SCHEMA and ankiformat.COLLECTION_ROW == APKG_COL
    assert ankiformat.SCHEMA_TABLES + ankiformat.SCHEMA_INDEXES == APKG_SCHEMA
    assert (ankiformat.LATEX_PRE, ankiformat.LATEX_POST) == (genanki.Model.DEFAULT_LATEX_PRE,
                                                             genanki.Model.DEFAULT_LATEX_POST)
    mod = 1_700_000_000
    lock = Lock("d", note_types={kind: LockedNoteType(0, "", (), (), "", mod) for kind in NOTE_TYPES})
    for kind, model in genanki_models(lock).items():
        ours = ankiformat.NoteTypeFormat(NOTE_TYPES[kind], stylesheet())
        assert ours.required == model._req
        assert ours.json(mod, 42) == json.loads(json.dumps(model.to_json(mod, 42)))
    assert ankiformat.deck_json(7, "A::B", "desc") == genanki.Deck(7, "A::B", "desc").to_json()


TEMPLATES = [
    "{{Front}}", "{{#Back}}{{Back}}{{/Back}}", "{{^Back}}x{{/Back}}{{Front}}", "{{cloze:Front}}{{Back}}",
    "{{#Front}}{{#Back}}{{Extra}}{{/Back}}{{/Front}}", "{{! comment }}{{Extra}}", "{{{Front}}} {{&Back}}",
    "{{ Front }}", "{{FrontSide}}", "plain", "{{#Extra}}{{/Extra}}{{^Extra}}{{Back}}{{/Extra}}",
]


@pytest.mark.parametrize("front", TEMPLATES)
def test_required_fields_are_genankis(front: str) -> None:
    names = ("Front", "Back", "Extra")
    model = genanki.Model(1, "m", fields=[{"name": n} for n in names],
                          templates=[{"name": "t", "qfmt": front, "afmt": ""}])
    assert ankiformat.required_fields(names, [front]) == model._req


def test_the_collection_is_a_sound_database_with_large_pages(tmp_path: Path) -> None:
    compiled = compiled_from(FIXTURES / "golden" / "content", tmp_path)
    with sqlite3.connect(_ours(compiled, tmp_path)) as db:
        assert db.execute("PRAGMA page_size").fetchone()[0] == 16384
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# The zip container: what zipfile writes for the same entries, but deflated with ISA-L.

ENTRIES = [("collection.anki2", bytes(range(256)) * 5000 + "Größe „Mut“".encode() * 999),
           ("media", b'{"0": "bild.png"}'), ("0", b"\x89PNG" + bytes(3000)), ("1", b"")]


def _written(stamp: int, chunk: int) -> bytes:
    stream = io.BytesIO()
    archive = zipwriter.ZipWriter(stream, stamp)
    for name, data in ENTRIES:
        archive.add(name, [data[i:i + chunk] for i in range(0, len(data), chunk)] or [b""])
    archive.close()
    return stream.getvalue()


@pytest.mark.parametrize("chunk", [7919, 4096, 1 << 20])
def test_the_zip_holds_what_zipfile_writes_but_for_the_compressed_bytes(chunk: int) -> None:
    stamp = 1_800_000_123
    reference = io.BytesIO()
    with zipfile.ZipFile(reference, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in ENTRIES:
            info = zipfile.ZipInfo(name, date_time=time.gmtime(stamp)[:6])
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o100644 << 16
            archive.writestr(info, data)
    with zipfile.ZipFile(io.BytesIO(_written(stamp, chunk))) as ours, \
            zipfile.ZipFile(reference) as theirs:
        assert ours.testzip() is None  # every CRC checked
        assert [(i.filename, ours.read(i)) for i in ours.infolist()] == ENTRIES
        fields = ("filename", "date_time", "compress_type", "comment", "extra", "create_system",
                  "create_version", "extract_version", "flag_bits", "volume", "internal_attr",
                  "external_attr", "CRC", "file_size")
        for mine, reference_info in zip(ours.infolist(), theirs.infolist(), strict=True):
            assert [getattr(mine, f) for f in fields] == [getattr(reference_info, f) for f in fields]
        for info in ours.infolist():  # the local header agrees with the directory (zipfile checks the name)
            with ours.open(info) as entry:
                assert entry.read() == dict(ENTRIES)[info.filename]


def test_the_same_entries_in_the_same_chunks_give_the_same_zip() -> None:
    """ISA-L's output depends on where the chunks end (zlib's does not): the package reads its
    database in chunks of a fixed size, so a database gives the same bytes however it was written."""
    assert _written(1_800_000_000, 4096) == _written(1_800_000_000, 4096)
    assert _written(1_800_000_000, 4096) != _written(1_800_000_002, 4096)  # the time is recorded


def test_a_zip_time_before_1980_is_refused() -> None:
    with pytest.raises(ValueError, match="1980"):
        zipwriter.ZipWriter(io.BytesIO(), 0)


def test_a_package_over_the_zip_limits_is_refused_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """Zip64 is not written: content over 4 GiB is an error the CLI shows (a tiny limit stands in)."""
    monkeypatch.setattr(zipwriter, "LIMIT", 1000)
    archive = zipwriter.ZipWriter(io.BytesIO(), 1_800_000_000)
    with pytest.raises(GeneratorError, match="larger than 4 GiB: split the content"):
        archive.add("collection.anki2", [bytes(range(256)) * 20])
