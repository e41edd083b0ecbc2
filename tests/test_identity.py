"""Every key comment belongs to exactly one note, checked against the lock: edits a trainer makes without
thinking of keys (copying a note, renumbering a list, reusing a key) never move a learner's history."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import pipeline
from generator.errors import ContentError
from generator.files import display_name
from generator.ids import write_missing_keys
from tests.test_regeneration import RELEASE_1, RELEASE_2, edit

CLOZE = "- Der Kunde zahlt, was er {{c1::glaubt}}, dass du wert bist.\n  <!-- key: preis-glaube -->\n"


@pytest.fixture
def released(golden_content: Path, tmp_path: Path) -> Path:
    pipeline.build(golden_content, tmp_path / "v1" / "deck.apkg", now=RELEASE_1)
    return golden_content


def errors(content: Path) -> list[str]:
    """The errors of `check`, with paths relative to the content folder."""
    folder = display_name(content) + os.sep
    return [d.format().replace(folder, "") for d in pipeline.check(content) if d.is_error]


def rebuilt(content: Path, tmp_path: Path) -> pipeline.BuildResult:
    return pipeline.build(content, tmp_path / "v2" / "deck.apkg", now=RELEASE_2)


@pytest.mark.parametrize("numbered", [
    # `1. ` items: the key line indented by two spaces ends the item, but is still its key
    ("- Der Kunde zahlt", "1. Der Kunde zahlt"),
    ("- Drei Motive", "2. Drei Motive"),
    # the key line at column 0
    ("  <!-- key: preis-glaube -->", "<!-- key: preis-glaube -->"),
    # more indentation than needed
    ("  <!-- key: preis-motive -->", "     <!-- key: preis-motive -->"),
])
def test_list_markers_and_key_indentation_keep_the_note(released: Path, tmp_path: Path,
                                                        numbered: tuple[str, str]) -> None:
    edit(released / "01-preis.md", *numbered)
    assert write_missing_keys(released) == []  # nothing looks keyless
    release = rebuilt(released, tmp_path).compiled
    assert not release.new_release and release.lock.release == 1  # the same notes: nothing to release


def test_a_key_outside_any_note_is_an_error_at_its_line(released: Path) -> None:
    edit(released / "01-preis.md", "Zweiter Absatz.\n", "Zweiter Absatz.\n\n<!-- key: preis-verirrt -->\n")
    (problem,) = errors(released)
    assert problem.startswith("01-preis.md:18: error: the key `preis-verirrt` is not attached to any note")
    with pytest.raises(ContentError):
        write_missing_keys(released)


def test_a_second_key_in_one_note_is_an_error(released: Path) -> None:
    edit(released / "01-preis.md", "  <!-- key: preis-glaube -->\n",
         "  <!-- key: preis-glaube -->\n  <!-- key: preis-zweiter -->\n")
    (problem,) = errors(released)
    assert "`preis-zweiter` is not attached to any note" in problem


@pytest.mark.parametrize("target", ["01-preis.md", "00-kopie.md"])
def test_a_copied_note_is_the_copy_not_the_original(released: Path, target: str) -> None:
    copy = CLOZE.replace("zahlt", "bezahlt")
    if target == "01-preis.md":  # above the original
        edit(released / target, "## Lückentexte\n\n", f"## Lückentexte\n\n{copy}")
    else:  # into a file that sorts earlier
        text = (released / "02-fragen.md").read_text(encoding="utf-8")
        text = text.replace("## Lückentexte\n\n", f"## Lückentexte\n\n{copy}")
        (released / target).write_text(text.replace("key: fragen\nnumber: 2", "key: kopie\nnumber: 3"),
                                        encoding="utf-8")
    found = [e for e in errors(released) if "preis-glaube" in e]
    assert len(found) == 1 and found[0].startswith(f"{target}:")
    assert "looks like a copy of the released note at 01-preis.md:" in found[0]
    assert "it becomes a new note" in found[0]


def test_a_key_on_two_edited_notes_is_an_error_at_both(released: Path) -> None:
    edit(released / "01-preis.md", CLOZE, CLOZE.replace("zahlt", "bezahlt") + CLOZE.replace("wert", "teuer"))
    found = [e for e in errors(released) if "preis-glaube" in e]
    assert len(found) == 2 and all("duplicate note key `preis-glaube`" in e for e in found)


def test_a_retired_key_is_never_accepted_again(released: Path, tmp_path: Path) -> None:
    edit(released / "01-preis.md", CLOZE, "")
    rebuilt(released, tmp_path)
    edit(released / "01-preis.md", "  <!-- key: preis-motive -->\n", "  <!-- key: preis-glaube -->\n")
    (problem,) = errors(released)
    assert "the key `preis-glaube` belonged to „Der Kunde zahlt, was er glaubt, dass du wert bist.“, " \
           "retired in version 2" in problem
