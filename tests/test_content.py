"""The default deck: per-truth minimums asserted on the built package, card quality and spelling."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from anki.collection import Collection
from spellchecker import SpellChecker

from generator import pipeline
from generator.anki.notetypes import NOTE_TYPES
from generator.model import ClozeNote
from generator.rules.cloze import scan_gaps
from tests.conftest import DEFAULT_CONTENT

WORD_LIST = DEFAULT_CONTENT / "wortliste.txt"
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")
SENTENCE_END = re.compile(r"[.!?…](?:[“”«»\"')]*)(?=\s+[A-ZÄÖÜ„]|\s*$)")
KEY_TERMS = ("Herdentrieb", "Mode/Trend", "Selbstanspruch", "Arzt-Effekt", "Mittel zum Zweck",
             "Fußabstreifer", "Scheinargument", "Provokation")


@pytest.fixture
def collection(default_collection: Collection) -> Collection:
    return default_collection


def notes_of(col: Collection, deck_key: str, truth_tag: str, kind: str) -> list:  # type: ignore[type-arg]
    ids = col.find_notes(f'"tag:{deck_key}::wahrheit::{truth_tag}" "note:{NOTE_TYPES[kind].name}"')
    return [col.get_note(i) for i in ids]


def test_introduction_twelve_truths_and_practice_in_order(default_build: pipeline.BuildResult) -> None:
    truths = default_build.compiled.content.truths
    assert [t.number for t in truths[:-1]] == list(range(0, 13)) and truths[-1].practice
    assert truths[0].title.startswith("Einstieg")
    assert [t.title for t in truths][1:4] == ["Einsatz", "Wert", "Nutzen"]


def test_per_truth_minimums_in_the_built_package(collection: Collection,
                                                 default_build: pipeline.BuildResult) -> None:
    content = default_build.compiled.content
    with_choices = 0
    for truth in content.truths[1:-1]:  # the twelve truths, without introduction and practice
        tag = f"{truth.number:02d}-{truth.key}"
        clozes = notes_of(collection, content.deck.key, tag, "cloze")
        phrasings = notes_of(collection, content.deck.key, tag, "phrasing")
        scenarios = notes_of(collection, content.deck.key, tag, "scenario")
        assert len(clozes) >= 3, truth.title
        assert len(phrasings) >= 4, truth.title
        verdicts = Counter(note["Bewertung"] for note in phrasings)
        assert verdicts["Sagen"] >= 1 and verdicts["Vermeiden"] >= 1, truth.title
        assert all(note["Warum"].strip() for note in phrasings)
        assert len(scenarios) >= 2, truth.title
        for note in scenarios:
            for field in ("Situation", "Kunde", "Reaktion", "Warum", "Falsch"):
                assert note[field].strip(), (truth.title, field)
            assert note["Kunde"].lstrip().startswith("„") and note["Reaktion"].lstrip().startswith("„")
        with_choices += sum(bool(note["Auswahl"]) for note in scenarios)
    assert with_choices >= 6
    assert len(collection.find_notes("")) >= 100


def test_core_statement_is_one_sentence_and_explanation_three_to_six(
        default_build: pipeline.BuildResult) -> None:
    for truth in default_build.compiled.content.truths[:-1]:  # the practice file has no core statement
        assert len(SENTENCE_END.findall(truth.core)) == 1, truth.core
        assert 3 <= len(SENTENCE_END.findall(truth.explanation)) <= 6, truth.title


def test_cloze_answers_are_short_key_terms_not_filler(default_build: pipeline.BuildResult) -> None:
    filler = {"und", "oder", "der", "die", "das", "ein", "eine", "nicht", "nur", "auch", "sehr"}
    for note in default_build.compiled.content.notes:
        if isinstance(note, ClozeNote):
            for gap in scan_gaps(note.text).gaps:
                assert len(gap.answer) <= 40 and len(gap.answer.split()) <= 4, gap.answer
                assert gap.answer.casefold() not in filler, note.text


def test_key_terms_are_kept(default_build: pipeline.BuildResult) -> None:
    text = " ".join(f"{t.core} {t.explanation}" + " ".join(map(str, t.notes))
                    for t in default_build.compiled.content.truths)
    for term in KEY_TERMS:
        assert term in text, term


def test_default_content_is_clean_even_in_strict_mode() -> None:
    assert [d.format() for d in pipeline.check(DEFAULT_CONTENT, strict=True)] == []


def project_words() -> set[str]:
    return {w.strip().lower() for w in WORD_LIST.read_text(encoding="utf-8").splitlines() if w.strip()}


def misspelled(text: str, checker: SpellChecker) -> set[str]:
    words = {w for w in WORD.findall(text) if len(w) > 1}
    return {w.lower() for w in checker.unknown(words)} - project_words()


@pytest.fixture(scope="module")
def checker() -> SpellChecker:
    return SpellChecker(language="de", case_sensitive=False)


def learner_text(paths: list[Path]) -> str:
    """What learners read: the Markdown without front matter, keys and cloze syntax."""
    text = " ".join(p.read_text(encoding="utf-8").split("\n---\n", 1)[-1] for p in paths)
    text = re.sub(r"<!--.*?-->", " ", text)
    return re.sub(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", r"\1 \2", text)


def test_content_has_no_spelling_mistakes(checker: SpellChecker) -> None:
    files = [*sorted(DEFAULT_CONTENT.glob("[0-9]*.md")), DEFAULT_CONTENT / "deck.md"]
    assert misspelled(learner_text(files), checker) == set()


def test_spelling_check_catches_the_sources_typos(checker: SpellChecker) -> None:
    assert misspelled("Höflicgkeit macht erfolgeich, jedes Bedürfniss zählt.", checker) == {
        "höflicgkeit", "erfolgeich", "bedürfniss"}


def test_word_list_is_sorted_and_has_no_duplicates() -> None:
    words = [w for w in WORD_LIST.read_text(encoding="utf-8").splitlines() if w.strip()]
    assert words == sorted(set(words), key=str.casefold) or words == sorted(set(words))
