"""Regenerating after edits, with the real Anki backend and its default import options.

Each test imports release 1, studies every card once, edits the content, builds release 2
and re-imports it into the same collection: no duplicates, no conflicts, history intact.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection

from generator import pipeline
from generator.anki import notetypes
from generator.release.withdrawn import withdrawn_search
from tests.anki_support import ImportCounts, all_cards, answer_all, import_package, open_collection

RELEASE_1 = 1_800_000_000
RELEASE_2 = RELEASE_1 + 3600

History = dict[int, tuple[int, int, int, int, int, int]]


@dataclass
class Learner:
    collection: Collection
    history: History

    def snapshot(self) -> History:
        revlog = dict(self.collection.db.all("select cid, count() from revlog group by cid"))
        return {c.id: (c.ivl, c.due, c.reps, c.lapses, c.type, revlog.get(c.id, 0))
                for c in all_cards(self.collection)}


@pytest.fixture
def learner(golden_content: Path, tmp_path: Path) -> Learner:
    built = pipeline.build(golden_content, tmp_path / "v1" / "deck.apkg", now=RELEASE_1)
    collection = open_collection(tmp_path)
    counts = import_package(collection, built.output)
    assert counts.new == built.notes
    assert answer_all(collection) >= built.notes
    person = Learner(collection, {})
    person.history = person.snapshot()
    assert all(entry[2] > 0 for entry in person.history.values())
    return person


def release_2(content: Path, learner: Learner, tmp_path: Path) -> tuple[pipeline.BuildResult, ImportCounts]:
    built = pipeline.build(content, tmp_path / "v2" / "deck.apkg", now=RELEASE_2)
    return built, import_package(learner.collection, built.output)


def assert_history_kept(learner: Learner) -> None:
    now = learner.snapshot()
    for card_id, before in learner.history.items():
        assert now[card_id] == before, f"card {card_id} lost its review history"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def note_count(learner: Learner) -> int:
    return len(learner.collection.find_notes(""))


def field_of(learner: Learner, key: str, field: str) -> str:
    (note_id,) = learner.collection.find_notes(f"Schlüssel:{key}")
    return str(learner.collection.get_note(note_id)[field])


def test_no_change(golden_content: Path, learner: Learner, tmp_path: Path) -> None:
    before = note_count(learner)
    built, counts = release_2(golden_content, learner, tmp_path)
    assert (counts.new, counts.updated, counts.conflicting) == (0, 0, 0)
    assert note_count(learner) == before
    assert built.compiled.lock.release == 1
    assert_history_kept(learner)


def test_wording_edit_arrives(golden_content: Path, learner: Learner, tmp_path: Path) -> None:
    edit(golden_content / "01-preis.md", "Der Kunde zahlt, was er {{c1::glaubt}}",
         "Der Kunde bezahlt, was er {{c1::glaubt}}")
    before = note_count(learner)
    built, counts = release_2(golden_content, learner, tmp_path)
    assert (counts.new, counts.updated, counts.conflicting) == (0, 1, 0)
    assert note_count(learner) == before
    assert field_of(learner, "preis-glaube", "Text").startswith("Der Kunde bezahlt")
    assert built.compiled.lock.changes.changed == ("preis-glaube",)
    assert_history_kept(learner)


def test_reordering_notes_in_a_file(golden_content: Path, learner: Learner, tmp_path: Path) -> None:
    truth = golden_content / "01-preis.md"
    text = truth.read_text(encoding="utf-8")
    first = "- Der Kunde zahlt, was er {{c1::glaubt}}, dass du wert bist.\n  <!-- key: preis-glaube -->\n"
    second = ("- Drei Motive: {{c1::Herdentrieb}}, {{c2::Mode/Trend::Zeitgeist}} und "
              "{{c3::Selbstanspruch}}.\n  <!-- key: preis-motive -->\n")
    truth.write_text(text.replace(first + second, second + first), encoding="utf-8")
    _, counts = release_2(golden_content, learner, tmp_path)
    assert (counts.new, counts.updated, counts.conflicting, counts.duplicate) == (0, 0, 0, 9)
    assert_history_kept(learner)


def test_renaming_and_renumbering_a_file(golden_content: Path, learner: Learner, tmp_path: Path) -> None:
    (golden_content / "01-preis.md").rename(golden_content / "07-preis-neu.md")
    edit(golden_content / "07-preis-neu.md", "number: 1", "number: 7")
    before = note_count(learner)
    _, counts = release_2(golden_content, learner, tmp_path)
    assert (counts.new, counts.conflicting) == (0, 0)
    assert counts.updated == 6  # the truth label and tags changed on its six notes
    assert note_count(learner) == before
    assert field_of(learner, "preis-rabatt", "Wahrheit") == "Wahrheit 7: Preis"
    assert_history_kept(learner)


def test_moving_a_note_to_another_truth(golden_content: Path, learner: Learner, tmp_path: Path) -> None:
    note = "- **Sagen:** „Das ist *unser* Angebot.“\n  **Warum:** Klar und ohne Rechtfertigung.\n" \
           "  <!-- key: preis-sagen -->\n"
    edit(golden_content / "01-preis.md", note, "")
    edit(golden_content / "02-fragen.md", "## Formulierungen\n\n", "## Formulierungen\n\n" + note)
    before = note_count(learner)
    _, counts = release_2(golden_content, learner, tmp_path)
    assert (counts.new, counts.updated, counts.conflicting) == (0, 1, 0)
    assert note_count(learner) == before
    assert field_of(learner, "preis-sagen", "Wahrheit") == "Wahrheit 2: Fragen"
    assert_history_kept(learner)


def test_adding_a_note(golden_content: Path, learner: Learner, tmp_path: Path) -> None:
    edit(golden_content / "02-fragen.md", "## Formulierungen\n",
         "- Wer gefragt ist, erfährt alles {{c1::freiwillig}}.\n\n## Formulierungen\n")
    pipeline_ids(golden_content)
    before = note_count(learner)
    built, counts = release_2(golden_content, learner, tmp_path)
    assert (counts.new, counts.updated, counts.conflicting) == (1, 0, 0)
    assert note_count(learner) == before + 1
    (added,) = built.compiled.lock.changes.added
    assert field_of(learner, added, "Text").endswith("{{c1::freiwillig}}.")
    assert_history_kept(learner)


def test_removing_a_note_withdraws_it(golden_content: Path, learner: Learner, tmp_path: Path) -> None:
    """A learner who has the note sees that it was withdrawn and finds it by one search; a new learner
    gets nothing to study from it."""
    edit(golden_content / "02-fragen.md",
         "- Wer als Experte gefragt ist, erlebt den {{c1::Arzt-Effekt}}.\n  <!-- key: fragen-arzt -->\n", "")
    before = note_count(learner)
    built, counts = release_2(golden_content, learner, tmp_path)
    assert (counts.new, counts.updated, counts.conflicting) == (0, 1, 0)  # the withdrawal notice
    assert note_count(learner) == before  # Anki never deletes on import
    notes = built.changes.read_text(encoding="utf-8")
    assert "Schlüssel:fragen-arzt" in notes and "## Entfernt (1)" in notes
    assert "fragen-arzt" in built.compiled.lock.retired
    search = withdrawn_search(built.compiled.deck.key)
    assert search in notes  # CHANGES.md tells the trainer the learners' search
    (card_id,) = learner.collection.find_cards(search)
    card = learner.collection.get_card(card_id)
    assert card.note()["Schlüssel"] == "fragen-arzt" and card.reps > 0  # the learner's own card
    assert "Zurückgezogen" in card.question() and "Arzt-Effekt" in card.question()
    assert search in learner.collection.decks.by_name(built.compiled.deck.title)["desc"]  # the bulletin
    assert_history_kept(learner)
    fresh = open_collection(tmp_path / "fresh")
    import_package(fresh, built.output)
    assert len(fresh.find_notes(search)) == 1 and fresh.find_cards(search) == []
    live_cards = sum(max(1, len(note.cloze_numbers)) for note in built.compiled.deck.notes)
    assert len(fresh.find_cards("")) == live_cards  # the withdrawn note brought no card to study
    fresh.close()


def test_a_retired_key_is_never_handed_out_again(golden_content: Path, tmp_path: Path) -> None:
    truth = golden_content / "02-fragen.md"
    edit(truth, "  <!-- key: fragen-arzt -->\n", "")
    without_key = truth.read_text(encoding="utf-8")
    pipeline_ids(golden_content)
    (given,) = set(re.findall(r"key: (fragen-\w+) ", truth.read_text(encoding="utf-8"))) - {
        "fragen-sagen", "fragen-runde"}
    pipeline.build(golden_content, tmp_path / "v1.apkg", now=RELEASE_1)
    edit(truth, f"{cloze_line(truth)}  <!-- key: {given} -->\n", "")
    assert given in pipeline.build(golden_content, tmp_path / "v2.apkg", now=RELEASE_2).compiled.lock.retired
    truth.write_text(without_key, encoding="utf-8")  # the same note again, at the same place
    pipeline_ids(golden_content)
    assert f"key: {given} " not in truth.read_text(encoding="utf-8")


def cloze_line(truth: Path) -> str:
    return next(line + "\n" for line in truth.read_text(encoding="utf-8").splitlines()
                if "{{c1::Arzt-Effekt}}" in line)


def test_changing_the_stylesheet_arrives(golden_content: Path, learner: Learner, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    original: Callable[[str], str] = notetypes._template
    monkeypatch.setattr(notetypes, "_template", lambda name: original(name) + (
        "\n.wk-title { color: rebeccapurple; }\n" if name == "style.css" else ""))
    built, counts = release_2(golden_content, learner, tmp_path)
    assert (counts.new, counts.conflicting) == (0, 0)
    assert built.compiled.lock.changes.note_types == tuple(notetypes.NOTE_TYPES)
    for card in all_cards(learner.collection):
        assert "rebeccapurple" in card.question()
    assert_history_kept(learner)


def test_same_sources_and_lock_give_identical_bytes(golden_content: Path, tmp_path: Path) -> None:
    first = pipeline.build(golden_content, tmp_path / "a.apkg", now=RELEASE_1)
    copy = tmp_path / "copy"
    shutil.copytree(golden_content, copy)
    second = pipeline.build(copy, tmp_path / "b.apkg", now=RELEASE_2)
    third = pipeline.build(golden_content, tmp_path / "c.apkg")
    assert first.output.read_bytes() == second.output.read_bytes() == third.output.read_bytes()
    assert (copy / "deck.lock").read_bytes() == (golden_content / "deck.lock").read_bytes()


def test_source_date_epoch_makes_first_builds_reproducible(golden_content: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(RELEASE_1))
    copy = tmp_path / "copy"
    shutil.copytree(golden_content, copy)
    first = pipeline.build(golden_content, tmp_path / "a.apkg")
    second = pipeline.build(copy, tmp_path / "b.apkg")
    assert first.output.read_bytes() == second.output.read_bytes()
    assert first.compiled.lock.released == RELEASE_1


def pipeline_ids(content: Path) -> None:
    from generator.ids import write_missing_keys

    assert write_missing_keys(content)


def test_an_edited_explanation_is_a_release_and_reaches_learners(golden_content: Path, learner: Learner,
                                                                 tmp_path: Path) -> None:
    edit(golden_content / "02-fragen.md", "erfährt alles Nötige von selbst.",
         "erfährt alles Nötige – und mehr – von selbst.")
    built, _ = release_2(golden_content, learner, tmp_path)
    assert built.compiled.new_release and built.compiled.lock.release == 2
    assert built.compiled.lock.changes.decks == ("Beispieldeck::02 Fragen",)
    assert "„Beispieldeck::02 Fragen“" in built.changes.read_text(encoding="utf-8")
    deck = learner.collection.decks.by_name("Beispieldeck::02 Fragen")
    assert deck is not None and "und mehr" in deck["desc"]
