"""What the default deck teaches, read as a learner reads it in Anki: fronts that do not give the answer
away, phrasing cards that ask for production, practice across truths, sectors (issue 15)."""

from __future__ import annotations

import html
import re

import pytest
from anki.cards import Card
from anki.collection import Collection

from generator import pipeline
from generator.anki.notetypes import NOTE_TYPES
from tests.anki_support import all_cards

STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
SECTORS = ("bank", "versicherung", "handel", "b2b", "handwerk", "telefon-email")


@pytest.fixture
def collection(default_collection: Collection) -> Collection:
    return default_collection


def text(side: str) -> str:
    """What a learner reads on a card side: no styles, tags or entities."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", STYLE.sub("", side))).split())


def cards_of(collection: Collection, kind: str) -> list[Card]:
    name = NOTE_TYPES[kind].name  # type: ignore[index]
    found = [card for card in all_cards(collection) if card.note_type()["name"] == name]
    assert found, kind
    return found


def test_no_front_shows_which_truth_the_card_belongs_to(collection: Collection) -> None:
    for card in all_cards(collection):
        label = text(card.note()["Wahrheit"])
        assert label and label not in text(card.question()), card.note()["Schlüssel"]
        assert label in text(card.answer())


def test_no_cloze_front_contains_its_own_answer(collection: Collection) -> None:
    for card in cards_of(collection, "cloze"):
        back = card.answer()
        answer = text(re.search(r'<span class="cloze" data-ordinal="\d+">(.*?)</span>', back).group(1))  # type: ignore[union-attr]
        assert answer.casefold() not in text(card.question()).casefold(), card.note()["Schlüssel"]


def test_no_scenario_front_contains_the_recommended_reaction_outside_the_choices(collection: Collection
                                                                                 ) -> None:
    for card in cards_of(collection, "scenario"):
        note = card.note()
        front = card.question()
        without_choices = text(re.sub(r"<ol>.*?</ol>", "", front, flags=re.DOTALL))
        assert text(note["Reaktion"]) not in without_choices
        if note["Lösung"]:
            recommended = text(note["Lösung"])[3:]  # "B) …"
            assert recommended in text(front) and recommended not in without_choices


def test_no_recognition_front_names_its_truth(collection: Collection) -> None:
    cards = cards_of(collection, "recognition")
    for card in cards:
        title = text(card.note()["Wahrheit"]).split(": ", 1)[1]
        assert title.casefold() not in text(card.question()).casefold(), card.note()["Schlüssel"]
        assert "Welche Wahrheit passt" in text(card.question())


def test_every_phrasing_front_asks_for_production(collection: Collection) -> None:
    for card in cards_of(collection, "phrasing"):
        note, front = card.note(), text(card.question())
        assert text(note["Formulierung"]) in front and "Sagen oder vermeiden" not in front
        if note["Bewertung"] == "Vermeiden":
            assert note["Besser"] and "Wie sagst du es besser – und warum?" in front
            assert text(note["Besser"]) not in front and text(note["Besser"]) in text(card.answer())
        else:
            assert not note["Besser"] and "Was macht diese Formulierung stark?" in front


def test_practice_across_truths_in_the_counts_the_issue_asks_for(collection: Collection,
                                                                default_build: pipeline.BuildResult) -> None:
    key = default_build.compiled.deck.key
    recognitions = collection.find_notes(f'"tag:{key}::art::welche-wahrheit"')
    combined = [nid for nid in collection.find_notes(f'"tag:{key}::praxis" "tag:{key}::art::szenario"')
                if sum(tag.startswith(f"{key}::wahrheit::") for tag in collection.get_note(nid).tags) >= 2]
    assert len(recognitions) >= 8 and len(combined) >= 6
    truths = {tag for nid in recognitions for tag in collection.get_note(nid).tags if "::wahrheit::" in tag}
    assert len(truths) >= 8  # recognition spread over the truths, not one truth asked eight times


def test_scenarios_come_from_at_least_five_sectors_and_every_one_has_a_sector(
        collection: Collection, default_build: pipeline.BuildResult) -> None:
    key = default_build.compiled.deck.key
    sectors = {sector for sector in SECTORS if collection.find_notes(
        f'"tag:{key}::branche::{sector}" "tag:{key}::art::szenario"')}
    assert len(sectors) >= 5
    for kind in ("szenario", "welche-wahrheit"):
        for nid in collection.find_notes(f'"tag:{key}::art::{kind}"'):
            assert any("::branche::" in tag for tag in collection.get_note(nid).tags), nid


def test_regulated_truths_carry_their_limits(default_build: pipeline.BuildResult) -> None:
    limits = [note for note in default_build.compiled.content.notes
              if getattr(note, "text", "").startswith("**Grenzen in der Beratung:**")]
    assert len(limits) >= 5
    assert all("{{c1::" in note.text for note in limits)  # learned, not only read


def test_no_front_gives_away_the_answer_of_a_later_card_of_its_truth(
        collection: Collection, default_build: pipeline.BuildResult) -> None:
    """The teaching order: a card seen earlier in the plan does not show, on its front, the gap answer of
    another note's card of the same truth that comes later (siblings of one note are left out: a cloze
    shows its other gaps filled, which is why the plan puts siblings on different days)."""
    curriculum = default_build.compiled.curriculum
    order = [card for day in curriculum.days for card in day.cards]
    assert order
    cards = {(card.note()["Schlüssel"], card.ord): card for card in all_cards(collection)}
    truth_of = {note.key: note.deck_id for note in default_build.compiled.deck.notes}
    for later_index, (later_key, ordinal) in enumerate(order):
        later = cards[later_key, ordinal]
        if later.note_type()["name"] != NOTE_TYPES["cloze"].name:
            continue
        gap = re.search(r'<span class="cloze" data-ordinal="\d+">(.*?)</span>', later.answer())
        answer = text(gap.group(1)) if gap else ""  # type: ignore[union-attr]
        word = re.compile(rf"(?<!\w){re.escape(answer)}(?!\w)", re.IGNORECASE)
        for key, earlier_ordinal in order[:later_index]:
            if key != later_key and truth_of[key] == truth_of[later_key]:
                front = text(cards[key, earlier_ordinal].question())
                assert not word.search(front), f"{key} shows „{answer}“, the answer of {later_key}"
