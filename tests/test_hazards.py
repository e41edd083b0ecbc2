"""`check` stops edits that would break learners' collections, explaining consequence and way out."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator import pipeline
from tests.test_regeneration import RELEASE_1, edit


@pytest.fixture
def released(golden_content: Path, tmp_path: Path) -> Path:
    pipeline.build(golden_content, tmp_path / "deck.apkg", now=RELEASE_1)
    return golden_content


def messages(content: Path) -> list[str]:
    return [d.format() for d in pipeline.check(content) if d.is_error]


def test_released_content_has_no_hazards(released: Path) -> None:
    assert messages(released) == []


def test_changing_a_notes_kind_is_an_error(released: Path) -> None:
    edit(released / "02-fragen.md",
         "- Wer als Experte gefragt ist, erlebt den {{c1::Arzt-Effekt}}.\n  <!-- key: fragen-arzt -->\n", "")
    edit(released / "02-fragen.md", "## Szenarien\n", "## Szenarien\n\n### Neu\n<!-- key: fragen-arzt -->\n\n"
         "**Situation:** S.\n\n**Kunde:** „K.“\n\n**Reaktion:** „R.“\n\n**Warum:** W.\n\n"
         "**Verlockend, aber falsch:** „F.“\n")
    (problem,) = [m for m in messages(released) if "fragen-arzt" in m]
    assert "02-fragen.md:" in problem
    assert "was released as a cloze note and is now a scenario note" in problem
    assert "run `wahrheiten-deck ids`" in problem


@pytest.mark.parametrize("new_text", [
    "Drei Motive: {{c1::Herdentrieb}}, {{c2::Mode/Trend::Zeitgeist}} und Selbstanspruch.",
    "Drei Motive: {{c1::Herdentrieb}}, {{c3::Mode/Trend::Zeitgeist}} und {{c2::Selbstanspruch}}.",
])
def test_removing_or_renumbering_a_released_gap_is_an_error(released: Path, new_text: str) -> None:
    edit(released / "01-preis.md",
         "Drei Motive: {{c1::Herdentrieb}}, {{c2::Mode/Trend::Zeitgeist}} und {{c3::Selbstanspruch}}.",
         new_text)
    found = [m for m in messages(released) if "preis-motive" in m]
    assert found and "was removed or renumbered" in found[0] and "empty card" in found[0]


def test_adding_a_gap_is_fine(released: Path) -> None:
    edit(released / "01-preis.md", "und {{c3::Selbstanspruch}}.",
         "und {{c3::Selbstanspruch}} ({{c4::drei}}).")
    assert messages(released) == []


def test_changing_note_type_fields_is_an_error(released: Path) -> None:
    """Released with other fields than the generator's (as if the generator's fields had been edited)."""
    lock = json.loads((released / "deck.lock").read_text(encoding="utf-8"))
    lock["note_types"]["cloze"]["fields"].append("Extra")
    (released / "deck.lock").write_text(json.dumps(lock), encoding="utf-8")
    (problem,) = messages(released)
    assert problem.startswith(f"{os.path.relpath(released / 'deck.lock')}: error: ")
    assert "Anki skips every note of a changed note type as conflicting" in problem


def test_changing_the_deck_key_is_an_error(released: Path) -> None:
    edit(released / "deck.md", "key: beispiel", "key: anders")
    assert any("the deck key changed from `beispiel` to `anders`" in m for m in messages(released))
