"""Golden test: Markdown -> card fields, tags, note types and subdecks.

Set UPDATE_GOLDEN=1 to rewrite the expected file after an intended change, then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from generator import pipeline
from tests.conftest import FIXTURES

EXPECTED = FIXTURES / "golden" / "expected.json"


def rendered(content: Path) -> dict[str, object]:
    compiled = pipeline.compile_content(content, now=1_800_000_000)
    return {
        "decks": [[d.name, d.description] for d in compiled.deck.decks],
        "notes": {
            note.key: {
                "note_type": note.note_type.name,
                "fields": dict(zip(note.note_type.fields, note.fields, strict=True)),
                "tags": list(note.tags),
                "clozes": list(note.cloze_numbers),
                "guid": note.guid,
            }
            for note in compiled.deck.notes
        },
    }


def test_markdown_to_card_fields_matches_golden_file(golden_content: Path) -> None:
    actual = rendered(golden_content)
    if os.environ.get("UPDATE_GOLDEN"):
        EXPECTED.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert actual["decks"] == expected["decks"]
    for key, note in expected["notes"].items():
        assert actual["notes"][key] == note, f"note {key} differs from {EXPECTED}"  # type: ignore[index]
    assert list(actual["notes"]) == list(expected["notes"])  # type: ignore[call-overload]
