"""The .apkg as a file: a sound collection, a card per gap, the released times on every row, fixed zip."""

from __future__ import annotations

import json
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from generator import pipeline
from tests.conftest import FIXTURES, copy_content

NOW = 1_800_000_000
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
                    "9c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def built(tmp_path: Path) -> pipeline.BuildResult:
    content = copy_content(FIXTURES / "golden" / "content", tmp_path / "content")
    truth = content / "02-fragen.md"
    truth.write_text(truth.read_text(encoding="utf-8").replace(
        "erfährt alles Nötige von selbst.", "erfährt alles Nötige von selbst. ![Arzt](arzt.png)"),
        encoding="utf-8")
    (content / "arzt.png").write_bytes(PNG)
    return pipeline.build(content, tmp_path / "build" / "deck.apkg", now=NOW)


@pytest.fixture
def database(built: pipeline.BuildResult, tmp_path: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(built.output) as archive:
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(tmp_path / "collection.anki2")


def test_the_zip_holds_the_collection_and_the_media_with_fixed_entries(built: pipeline.BuildResult) -> None:
    with zipfile.ZipFile(built.output) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["collection.anki2", "media", "0"]
        media = json.loads(archive.read("media"))
        assert list(media) == ["0"] and media["0"].startswith("wk-") and archive.read("0") == PNG
    released = built.compiled.lock.released
    for info in infos:  # the same on every machine and in every build of this release
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert (info.create_system, info.external_attr >> 16) == (3, 0o644)
        assert info.date_time == tuple(time.gmtime(released)[:6])


def test_the_collection_is_a_sound_database(database: sqlite3.Connection) -> None:
    assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert database.execute("SELECT count(*) FROM revlog").fetchone() == (0,)


def test_a_cloze_note_gets_one_card_per_gap_number(database: sqlite3.Connection,
                                                   built: pipeline.BuildResult) -> None:
    by_guid = {n.guid: n for n in built.compiled.deck.notes}
    rows = database.execute("SELECT notes.guid, group_concat(cards.ord) FROM notes JOIN cards "
                            "ON cards.nid = notes.id GROUP BY notes.id").fetchall()
    assert len(rows) == len(by_guid)
    for guid, ordinals in rows:
        note = by_guid[guid]
        expected = [n - 1 for n in note.cloze_numbers] if note.note_type.is_cloze else [0]
        assert sorted(map(int, ordinals.split(","))) == expected


def test_every_note_and_card_carries_its_released_time(tmp_path: Path, built: pipeline.BuildResult) -> None:
    """Released again later with one note changed: only that note and its cards get the new time."""
    content = tmp_path / "content"
    truth = content / "01-preis.md"
    truth.write_text(truth.read_text(encoding="utf-8").replace(
        "Klar und ohne Rechtfertigung.", "Klar, freundlich und ohne Rechtfertigung."), encoding="utf-8")
    later = pipeline.build(content, tmp_path / "v2" / "deck.apkg", now=NOW + 3600)
    with zipfile.ZipFile(later.output) as archive:
        (tmp_path / "v2.anki2").write_bytes(archive.read("collection.anki2"))
    database = sqlite3.connect(tmp_path / "v2.anki2")
    changed = set(later.compiled.lock.changes.changed)
    assert len(changed) == 1
    for key, note in later.compiled.lock.notes.items():
        expected = NOW + 3600 if key in changed else NOW
        assert note.mod == expected
        times = database.execute("SELECT notes.mod, cards.mod FROM notes JOIN cards ON cards.nid = notes.id "
                                 "WHERE notes.guid = ?", (note.guid,)).fetchall()
        assert times and all(row == (expected, expected) for row in times)
    models = json.loads(database.execute("SELECT models FROM col").fetchone()[0])
    assert {m["mod"] for m in models.values()} == {NOW}  # the note types did not change


def test_new_cards_are_due_in_content_order(database: sqlite3.Connection,
                                            built: pipeline.BuildResult) -> None:
    order = [n.guid for n in built.compiled.deck.notes]
    rows = database.execute("SELECT notes.guid, min(cards.due) FROM notes JOIN cards ON cards.nid = notes.id "
                            "GROUP BY notes.id ORDER BY min(cards.due)").fetchall()
    assert [guid for guid, _ in rows] == order
    assert [due for _, due in rows] == list(range(len(order)))


def test_a_package_in_memory_is_the_package_on_disk(built: pipeline.BuildResult) -> None:
    assert pipeline.package_bytes(built.compiled) == built.output.read_bytes()
