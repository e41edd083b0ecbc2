"""The real Anki backend, headless: import packages, render and answer cards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

DEFAULT_OPTIONS = ImportAnkiPackageOptions(with_scheduling=False, merge_notetypes=False)
"""Anki's defaults: update notes and note types "if newer", no merging."""


@dataclass(frozen=True)
class ImportCounts:
    new: int
    updated: int
    duplicate: int
    conflicting: int
    first_field_match: int
    missing_notetype: int
    missing_deck: int
    empty_first_field: int


def open_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_package(collection: Collection, package: Path) -> ImportCounts:
    result = collection.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(package), options=DEFAULT_OPTIONS))
    log = result.log
    return ImportCounts(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting),
                        len(log.first_field_match), len(log.missing_notetype), len(log.missing_deck),
                        len(log.empty_first_field))


@contextmanager
def imported_collection(package: Path, folder: Path) -> Iterator[tuple[Collection, ImportCounts]]:
    """A fresh collection in `folder` with `package` imported; closed afterwards."""
    collection = open_collection(folder)
    try:
        yield collection, import_package(collection, package)
    finally:
        collection.close()


def all_cards(collection: Collection) -> list:  # type: ignore[type-arg]
    return [collection.get_card(cid) for cid in sorted(collection.find_cards(""))]


def answer_all(collection: Collection, ease: int = 3) -> int:
    """Study every card once through the real scheduler; returns how many were answered."""
    for deck in collection.decks.all_names_and_ids():
        collection.decks.get(deck.id)["conf"]  # ensure decks load
    deck_conf = collection.decks.config_dict_for_deck_id(collection.decks.get_current_id())
    deck_conf["new"]["perDay"] = 9999
    deck_conf["rev"]["perDay"] = 9999
    collection.decks.update_config(deck_conf)
    answered = 0
    collection.decks.select(collection.decks.id_for_name(_root_deck(collection)) or 1)
    while (queued := collection.sched.get_queued_cards(fetch_limit=1)).cards:
        card = collection.get_card(queued.cards[0].card.id)
        card.start_timer()
        states = queued.cards[0].states
        answer = collection.sched.build_answer(card=card, states=states, rating=_rating(ease))
        collection.sched.answer_card(answer)
        answered += 1
        if answered > 10_000:
            raise RuntimeError("scheduler did not run dry")
    return answered


def _rating(ease: int):  # type: ignore[no-untyped-def]
    from anki.scheduler.v3 import CardAnswer

    return {1: CardAnswer.AGAIN, 2: CardAnswer.HARD, 3: CardAnswer.GOOD, 4: CardAnswer.EASY}[ease]


def _root_deck(collection: Collection) -> str:
    names = [d.name for d in collection.decks.all_names_and_ids()
             if "::" not in d.name and d.name != "Default"]
    return names[0] if names else "Default"
