"""End to end with the real Anki backend: import the default deck and look at every rendered card."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from anki.collection import Collection

from generator import pipeline
from generator.anki.notetypes import NOTE_TYPES
from tests.anki_support import all_cards

STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
LEAKS = ("**", "{{", "}}", "](", "<!--", "&lt;", "::")


@pytest.fixture
def collection(default_collection: Collection) -> Collection:
    return default_collection


def visible(html: str) -> str:
    return STYLE.sub("", html)


def test_every_card_renders_without_markdown_or_template_leaks(collection: Collection) -> None:
    cards = all_cards(collection)
    assert cards
    for card in cards:
        for side in (visible(card.question()), visible(card.answer())):
            text = re.sub(r"<[^>]+>", "", side)
            for leak in LEAKS:
                assert leak not in text, f"{leak!r} leaks into card {card.id}: {text[:200]}"
            assert "wk-" in side


def test_cloze_fronts_show_a_blank_and_backs_the_answer(collection: Collection) -> None:
    cloze_cards = [c for c in all_cards(collection) if c.note_type()["name"] == NOTE_TYPES["cloze"].name]
    assert cloze_cards
    for card in cloze_cards:
        front, back = visible(card.question()), visible(card.answer())
        assert re.search(r'<span class="cloze"[^>]*>\[[^\]]+\]</span>', front), front
        answer = re.search(r'<span class="cloze" data-ordinal="\d+">(.*?)</span>', back)
        assert answer and answer.group(1) not in re.sub(r"data-cloze=\"[^\"]*\"", "", front)


def test_scenario_fronts_show_situation_but_not_the_answer(collection: Collection) -> None:
    kind = NOTE_TYPES["scenario"].name
    for card in (c for c in all_cards(collection) if c.note_type()["name"] == kind):
        note = card.note()
        front, back = visible(card.question()), visible(card.answer())
        assert note["Situation"] in front and note["Kunde"] in front
        assert note["Reaktion"] not in front and note["Warum"] not in front
        if note["Lösung"]:
            assert note["Auswahl"] in front and note["Lösung"] not in front
            assert note["Lösung"] in back
        assert note["Reaktion"] in back and note["Falsch"] in back




def test_note_types_are_ours_with_contract_fields(collection: Collection) -> None:
    for note_type in NOTE_TYPES.values():
        model = collection.models.get(note_type.id)  # type: ignore[arg-type]
        assert model is not None, note_type.name
        assert model["name"] == note_type.name
        assert [f["name"] for f in model["flds"]] == list(note_type.fields)
        assert [t["name"] for t in model["tmpls"]] == [t.name for t in note_type.templates]
        assert ".nightMode" in model["css"] and "@media" in model["css"]


def test_subdecks_follow_truth_order_and_tags(collection: Collection, default_build: pipeline.BuildResult
                                              ) -> None:
    content = default_build.compiled.content
    title = content.deck.title
    expected = [f"{title}::{truth.label}" for truth in content.truths]
    names = sorted(d.name for d in collection.decks.all_names_and_ids() if d.name.startswith(f"{title}::"))
    assert names == expected
    practice = set(collection.find_notes(f'"tag:{content.deck.key}::praxis"'))
    assert practice and content.truths[-1].practice
    for truth in content.truths:
        deck = collection.decks.id_for_name(f"{title}::{truth.label}")
        notes = collection.find_notes(f'did:{deck}')
        assert len(notes) == len(truth.notes)
        if not truth.practice:  # practice notes carry the tags of the truths they name too
            tag = f"{content.deck.key}::wahrheit::{truth.tag_name}"
            assert set(notes) == set(collection.find_notes(f'"tag:{tag}"')) - practice
    for kind in ("lueckentext", "formulierung", "szenario", "welche-wahrheit"):
        assert collection.find_notes(f'"tag:{content.deck.key}::art::{kind}"')


def test_every_note_is_found_by_its_key(collection: Collection, default_build: pipeline.BuildResult) -> None:
    for note in default_build.compiled.deck.notes[:20]:
        assert len(collection.find_notes(f"Schlüssel:{note.key}")) == 1


def test_deck_description_credits_source_and_explains_updates(collection: Collection,
                                                              default_build: pipeline.BuildResult) -> None:
    deck = collection.decks.by_name(default_build.compiled.content.deck.title)
    assert deck is not None
    description = deck["desc"]
    assert re.search(r"Version \d+", description) and "schwarzmann" in description
    assert "Falls neuer" in description and "Importieren" in description
    assert "Stapelprofile (falls enthalten) ebenfalls importieren" in description


def test_default_package_path(tmp_path: Path, golden_content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = pipeline.build(golden_content)
    assert result.output == Path("build") / "beispiel.apkg" and result.output.exists()
