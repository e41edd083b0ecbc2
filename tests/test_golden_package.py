"""The default deck's package, pinned: notes, GUIDs, fields, cards, note types, decks and modification times.

Made before the redesign of issue 12 and updated only on purpose: set UPDATE_GOLDEN=1, then review the diff.
"""

from __future__ import annotations

import json
import os

from generator import pipeline
from tests.conftest import FIXTURES
from tests.package_summary import package_summary

EXPECTED = FIXTURES / "golden" / "default_package.json"


def test_default_deck_package_matches_its_golden_summary(default_build: pipeline.BuildResult) -> None:
    actual = package_summary(default_build.output)
    if os.environ.get("UPDATE_GOLDEN"):
        EXPECTED.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    for key in ("decks", "deck_presets", "note_types", "media"):
        assert actual[key] == expected[key], key
    assert list(actual["notes"]) == list(expected["notes"])
    for guid, note in expected["notes"].items():
        assert actual["notes"][guid] == note, f"note {guid} differs from {EXPECTED}"
