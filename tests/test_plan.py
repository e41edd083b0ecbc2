"""The onboarding plan with the real Anki backend: the preset, the days the scheduler introduces each card
on, updates of the plan, and imports without presets."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.scheduler.v3 import CardAnswer

from generator import pipeline
from generator.anki.curriculum import note_cards
from generator.ids import write_missing_keys
from tests.anki_support import open_collection

DEFAULT_CONTENT = Path(__file__).resolve().parent.parent / "content"
RELEASE_1 = 1_800_000_000
RELEASE_2 = RELEASE_1 + 86_400
Card = tuple[str, int]


def with_plan(content: Path, days: int, notes: dict[int, str] | None = None) -> Path:
    """`content` with its deck file's plan replaced by this one."""
    deck = content / "deck.md"
    text = re.sub(r"\nplan:\n(?:[ \t]+.*\n)*", "\n", deck.read_text(encoding="utf-8"))
    lines = [f"plan:\n  days: {days}\n"] + (
        ["  notes:\n", *(f'    {day}: "{note}"\n' for day, note in (notes or {}).items())] if notes else [])
    head, _, body = text.partition("\n---\n")
    deck.write_text(head + "\n" + "".join(lines).rstrip("\n") + "\n---\n" + body, encoding="utf-8")
    return content


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = Path(shutil.copytree(DEFAULT_CONTENT, tmp_path / "content"))
    write_missing_keys(folder)
    return with_plan(folder, 10, {1: "Begrüßung und Einstieg", 5: "Rollenspiel Einwände"})


def import_into(collection: Collection, package: Path, presets: bool) -> None:
    collection.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=(
        ImportAnkiPackageOptions(with_scheduling=False, merge_notetypes=False, with_deck_configs=presets))))


class Learner:
    """A learner who studies the top deck every day, answering every card "good"; days pass by moving
    the collection's creation a day back (the scheduler counts days from it)."""

    def __init__(self, folder: Path, deck: str) -> None:
        self.path = folder / "collection.anki2"
        self.collection = open_collection(folder)
        self.deck = deck

    def study_today(self) -> list[Card]:
        """Every card due today; the new ones, in the order the scheduler introduced them."""
        collection = self.collection
        collection.decks.select(collection.decks.id_for_name(self.deck))  # type: ignore[arg-type]
        introduced: list[Card] = []
        while queued := collection.sched.get_queued_cards(fetch_limit=1).cards:
            card = collection.get_card(queued[0].card.id)
            if card.type == 0:
                introduced.append((card.note()["Schlüssel"], card.ord))
            card.start_timer()
            collection.sched.answer_card(collection.sched.build_answer(
                card=card, states=queued[0].states, rating=CardAnswer.GOOD))
        return introduced

    def next_day(self) -> None:
        self.collection.db.execute("UPDATE col SET crt = crt - 86400")
        self.collection.close()  # the backend reads the day anew when the collection opens
        self.collection = Collection(str(self.path))

    def days(self, count: int) -> Iterator[list[Card]]:
        for _ in range(count):
            yield self.study_today()
            self.next_day()


def test_the_scheduler_introduces_each_day_the_plans_cards(content: Path, tmp_path: Path) -> None:
    built = pipeline.build(content, tmp_path / "out" / "deck.apkg", now=RELEASE_1)
    curriculum = built.compiled.curriculum
    assert len(curriculum.days) == 10 and curriculum.new_per_day >= curriculum.total / 10
    learner = Learner(tmp_path / "learner", built.compiled.deck.title)
    import_into(learner.collection, built.output, presets=True)
    collection = learner.collection
    preset = curriculum.preset_id
    for deck in collection.decks.all_names_and_ids():
        if deck.name != "Default":
            assert collection.decks.config_dict_for_deck_id(deck.id)["id"] == preset, deck.name
    assert collection.decks.get_config(preset)["new"]["perDay"] == curriculum.new_per_day  # type: ignore[index]
    studied = list(learner.days(len(curriculum.days) + 2))
    assert studied[:10] == [list(day.cards) for day in curriculum.days]  # in curriculum order
    assert studied[10:] == [[], []]  # every card introduced by the plan's last day
    assert learner.collection.card_count() == curriculum.total
    learner.collection.close()


def test_curriculum_order_and_siblings_on_different_days(content: Path) -> None:
    release = pipeline.plan(content, now=RELEASE_1)
    curriculum, deck = release.curriculum, release.deck
    order = [card for day in curriculum.days for card in day.cards]
    assert sorted(order) == sorted(card for note in deck.notes for card in note_cards(note))
    truth_of = {note.key: index for index, note in enumerate(deck.notes)}
    firsts = [key for key, ordinal in order if ordinal == min(o for k, o in note_cards(
        next(n for n in deck.notes if n.key == key)))]
    assert firsts == sorted(firsts, key=truth_of.__getitem__)  # notes start in teaching order
    day_of = {card: day.number for day in curriculum.days for card in day.cards}
    for note in deck.notes:
        days = [day_of[card] for card in note_cards(note)]
        assert days == sorted(set(days)), note.key  # each sibling on a later day than the one before
    assert [day.note for day in curriculum.days][:5] == ["Begrüßung und Einstieg", "", "", "",
                                                         "Rollenspiel Einwände"]
    assert curriculum.days[0].truths[0] == deck.decks[1].name.rsplit("::", 1)[-1]  # the first truth first


def test_without_presets_everything_imports_and_the_description_says_what_to_set(content: Path,
                                                                                  tmp_path: Path) -> None:
    built = pipeline.build(content, tmp_path / "out" / "deck.apkg", now=RELEASE_1)
    collection = open_collection(tmp_path / "learner")
    import_into(collection, built.output, presets=False)
    assert collection.card_count() == built.compiled.curriculum.total
    root = collection.decks.by_name(built.compiled.deck.title)
    assert root is not None and collection.decks.config_dict_for_deck_id(root["id"])["id"] == 1
    description = root["desc"]
    assert f"<i>Neue Karten/Tag</i> {built.compiled.curriculum.new_per_day}" in description
    assert "Positionsnummer (aufsteigend)" in description and "10m 1d" in description
    collection.close()


def test_a_changed_plan_is_a_new_preset_that_reaches_learners_who_import_presets(content: Path,
                                                                                 tmp_path: Path) -> None:
    first = pipeline.build(content, tmp_path / "v1" / "deck.apkg", now=RELEASE_1)
    learner = Learner(tmp_path / "learner", first.compiled.deck.title)
    import_into(learner.collection, first.output, presets=True)
    introduced = [card for day in learner.days(2) for card in day]
    history = learner.collection.db.scalar("SELECT count() FROM revlog")
    second = pipeline.build(with_plan(content, 6), tmp_path / "v2" / "deck.apkg", now=RELEASE_2)
    assert second.compiled.lock.release == first.compiled.lock.release + 1  # a changed plan is a release
    assert second.compiled.curriculum.preset_id != first.compiled.curriculum.preset_id
    import_into(learner.collection, second.output, presets=True)
    collection = learner.collection
    root = collection.decks.by_name(second.compiled.deck.title)
    assert root is not None
    assert collection.decks.config_dict_for_deck_id(root["id"])["new"]["perDay"] == (
        second.compiled.curriculum.new_per_day)
    assert collection.db.scalar("SELECT count() FROM revlog") == history  # every review kept
    assert f"Version {second.compiled.lock.release}" in root["desc"]
    learner.next_day()
    today = learner.study_today()
    assert len(today) == second.compiled.curriculum.new_per_day
    assert not set(today) & set(introduced)
    learner.collection.close()


def test_without_a_plan_there_is_no_preset(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(DEFAULT_CONTENT, tmp_path / "content"))
    deck = folder / "deck.md"
    deck.write_text(re.sub(r"\nplan:\n(?:[ \t]+.*\n)*", "\n", deck.read_text(encoding="utf-8")),
                    encoding="utf-8")
    release = pipeline.plan(folder, now=RELEASE_1)
    assert release.curriculum.preset is None and release.curriculum.days == ()
    assert "<b>Lernplan:</b>" not in release.description and "Stapelprofil heißt" not in release.description


def test_a_plan_shorter_than_a_notes_siblings_still_introduces_every_card(content: Path) -> None:
    release = pipeline.plan(with_plan(content, 2), now=RELEASE_1)  # the overview clozes have 4 gaps
    curriculum = release.curriculum
    assert len(curriculum.days) == 2 and curriculum.total == sum(
        len(note_cards(note)) for note in release.deck.notes)
    assert max(len(day.cards) for day in curriculum.days) == curriculum.new_per_day


def test_burying_new_siblings_would_shift_the_plan(content: Path, tmp_path: Path) -> None:
    """Why the preset leaves new siblings unburied: Anki buries a new card whose older sibling is due that
    day (with a 1-day learning step, the day after it was introduced), so the plan's days would slip."""
    built = pipeline.build(content, tmp_path / "out" / "deck.apkg", now=RELEASE_1)
    curriculum = built.compiled.curriculum
    learner = Learner(tmp_path / "learner", built.compiled.deck.title)
    import_into(learner.collection, built.output, presets=True)
    preset = learner.collection.decks.get_config(curriculum.preset_id)
    assert preset is not None and preset["new"]["bury"] is False
    preset["new"]["bury"] = True
    learner.collection.decks.update_config(preset)
    studied = list(learner.days(len(curriculum.days)))
    assert studied != [list(day.cards) for day in curriculum.days]
    learner.collection.close()
