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
