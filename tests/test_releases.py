"""A release is every change that reaches learners, and CHANGES.md shows it so that it can be approved."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import pipeline
from tests.test_regeneration import RELEASE_1, edit


def test_an_edited_deck_description_is_a_release(golden_content: Path, tmp_path: Path) -> None:
    pipeline.build(golden_content, tmp_path / "v1" / "deck.apkg", now=RELEASE_1)
    edit(golden_content / "deck.md", "Ein *kleines* Deck", "Ein *feines* Deck")
    built = pipeline.build(golden_content, tmp_path / "v2" / "deck.apkg", now=RELEASE_1 + 60)
    assert built.compiled.lock.release == 2 and built.compiled.lock.changes.decks == ("Beispieldeck",)
    again = pipeline.build(golden_content, tmp_path / "v3" / "deck.apkg", now=RELEASE_1 + 120)
    assert not again.compiled.new_release  # the version line it wrote into the description makes none


def test_changes_show_old_and_new_text_side_by_side_in_plain_text(golden_content: Path,
                                                                   tmp_path: Path) -> None:
    pipeline.build(golden_content, tmp_path / "v1" / "deck.apkg", now=RELEASE_1)
    edit(golden_content / "01-preis.md", "**Warum:** Klar und ohne Rechtfertigung.",
         "**Warum:** Klar & freundlich, ohne Rechtfertigung.")
    built = pipeline.build(golden_content, tmp_path / "v2" / "deck.apkg", now=RELEASE_1 + 60)
    notes = built.changes.read_text(encoding="utf-8")
    assert "&amp;" not in notes and "&" in notes
    assert "| bisher | neu |" in notes
    row = next(line for line in notes.splitlines() if "~~" in line)
    assert "Klar ~~und~~ ohne" in row or "~~und~~" in row
    assert "**& freundlich,**" in row


@pytest.mark.parametrize("lock_without", ["decks", "text"])
def test_a_lock_from_before_makes_no_release_of_its_own(golden_content: Path, tmp_path: Path,
                                                       lock_without: str) -> None:
    import json

    pipeline.build(golden_content, tmp_path / "v1" / "deck.apkg", now=RELEASE_1)
    lock = json.loads((golden_content / "deck.lock").read_text(encoding="utf-8"))
    if lock_without == "decks":
        del lock["decks"]
    else:
        for note in lock["notes"].values():
            del note["text"]
    (golden_content / "deck.lock").write_text(json.dumps(lock), encoding="utf-8")
    built = pipeline.build(golden_content, tmp_path / "v2" / "deck.apkg", now=RELEASE_1 + 60)
    assert not built.compiled.new_release


def test_a_revert_of_content_and_lock_is_refused_and_the_newest_lock_publishes_it(golden_content: Path,
                                                                                 tmp_path: Path) -> None:
    import shutil

    from generator.errors import ContentError

    output = tmp_path / "build" / "deck.apkg"
    pipeline.build(golden_content, output, now=RELEASE_1)
    old = tmp_path / "v1"
    shutil.copytree(golden_content, old)
    edit(golden_content / "01-preis.md", "Klar und ohne Rechtfertigung.", "Klar, ohne Ausrede.")
    newer = pipeline.build(golden_content, output, now=RELEASE_1 + 86_400).compiled.lock
    newest_lock = (golden_content / "deck.lock").read_bytes()
    shutil.rmtree(golden_content)
    shutil.copytree(old, golden_content)  # content and lock as at release 1
    with pytest.raises(ContentError) as refused:
        pipeline.build(golden_content, output, now=RELEASE_1 + 2 * 86_400)
    assert "is older than the package" in refused.value.diagnostics[-1].message
    (golden_content / "deck.lock").write_bytes(newest_lock)  # the way out the message gives
    reverted = pipeline.build(golden_content, output, now=RELEASE_1 + 2 * 86_400).compiled.lock
    assert reverted.release == 3 and reverted.changes.changed == ("preis-sagen",)
    assert reverted.notes["preis-sagen"].mod > newer.notes["preis-sagen"].mod
