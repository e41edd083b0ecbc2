"""The onboarding plan as Anki carries it: every card's position among the new cards, the days they are
introduced on, and the deck options preset that introduces them at that pace.

New cards come in the order of the truths and, within a truth, in the teaching order of its notes. A
note's sibling cards (c1, c2, c3 of a cloze) are spread over different days: Anki would otherwise show
them one after the other, each giving the others away. The positions carry this order, so the package
holds it under any new-card order that follows positions; the preset makes Anki gather by position.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from generator.anki.render import CardNote, RenderedDeck
from generator.model import LearningPlan

LEARNING_STEPS = (10, 1440)  # minutes: 10 minutes, then the next day
GATHER_LOWEST_POSITION = 1  # Anki's NewCardGatherPriority: the plan's order across subdecks
SORT_AS_GATHERED = 1  # Anki's NewCardSortOrder: no re-sorting by card type within a day

Card = tuple[str, int]  # (note key, card ordinal): one card of a note


@dataclass(frozen=True)
class PlanDay:
    number: int  # 1-based
    cards: tuple[Card, ...]  # introduced on this day, in order
    truths: tuple[str, ...]  # the subdeck labels of those cards, in order ("03 Nutzen")
    note: str  # the trainer's note for the day, "" if none


@dataclass(frozen=True)
class Curriculum:
    """When each card is introduced. Without a plan: positions in note order, no days, no preset."""

    positions: dict[Card, int]  # 1-based position among the new cards
    days: tuple[PlanDay, ...] = ()
    new_per_day: int = 0
    preset: dict[str, Any] | None = None  # the deck options preset (Anki's JSON), with a plan

    @property
    def preset_id(self) -> int:
        return int(self.preset["id"]) if self.preset else 1

    @property
    def total(self) -> int:
        return sum(len(day.cards) for day in self.days)


def note_cards(note: CardNote) -> tuple[Card, ...]:
    """The cards Anki makes of a note: one per cloze number, else one per template."""
    if note.note_type.is_cloze:
        return tuple((note.key, number - 1) for number in note.cloze_numbers)
    return tuple((note.key, index) for index in range(len(note.note_type.templates)))


def plan_curriculum(deck: RenderedDeck, plan: LearningPlan | None) -> Curriculum:
    """The positions and days of the deck's cards (its notes are in teaching order)."""
    learned = deck.notes
    if plan is None:  # every card of a note shares the note's position, as genanki writes it
        return Curriculum({card: index for index, note in enumerate(learned) for card in note_cards(note)})
    total = sum(len(note_cards(note)) for note in learned)
    per_day = max(1, math.ceil(total / plan.days))
    spaced = all(len(note_cards(note)) <= plan.days for note in learned)  # else siblings share days
    while (days := _spread(learned, per_day, plan.days, spaced)) is None:
        per_day += 1  # siblings pushed past the last day: a day more of room for each
    labels = {note.key: subdeck_label(deck, note) for note in learned}
    notes = dict(plan.notes)
    planned = tuple(PlanDay(number, tuple(cards), tuple(dict.fromkeys(labels[key] for key, _ in cards)),
                            notes.get(number, "")) for number, cards in enumerate(days, 1))
    order = [card for day in planned for card in day.cards]
    return Curriculum({card: index for index, card in enumerate(order, 1)}, planned, per_day,
                      deck_preset(deck, plan, per_day))


def _spread(notes: tuple[CardNote, ...], per_day: int, day_count: int,
            spaced: bool) -> list[list[Card]] | None:
    """Cards by day, `per_day` a day: each note's first card in teaching order, each further sibling on
    a later day than the one before it (and first on its day, so it is not pushed back again); without
    `spaced` (a note has more cards than the plan has days) siblings simply follow each other.
    None if that needs more than `day_count` days."""
    cards_of = [list(note_cards(note)) for note in notes if note_cards(note)]
    firsts = deque(cards_of if spaced else [[card] for cards in cards_of for card in cards])
    waiting: list[tuple[int, list[Card]]] = []  # (earliest day, the rest of a note's cards)
    days: list[list[Card]] = []
    while firsts or waiting:
        today = len(days)
        if today == day_count:
            return None
        cards: list[Card] = []
        due = [entry for entry in waiting if entry[0] <= today][:per_day]
        for entry in due:
            waiting.remove(entry)
            cards.append(entry[1][0])
            if entry[1][1:]:
                waiting.append((today + 1, entry[1][1:]))
        while firsts and len(cards) < per_day:
            first, *rest = firsts.popleft()
            cards.append(first)
            if rest:
                waiting.append((today + 1, rest))
        days.append(cards)
    return days


def subdeck_label(deck: RenderedDeck, note: CardNote) -> str:
    name = next(sub.name for sub in deck.decks if sub.id == note.deck_id)
    return name.rsplit("::", 1)[-1]


def deck_preset(deck: RenderedDeck, plan: LearningPlan, per_day: int) -> dict[str, Any]:
    """Anki's deck options for the plan (its legacy JSON; Anki fills in what is left out). Its ID comes
    from its settings: Anki inserts a preset only if its ID is new, so a changed plan is a new preset,
    and the decks point to it after that import.

    Siblings: review and next-day learning siblings are buried. New siblings are not: the plan already
    puts them on different days, and burying them would push them back a day and shift the plan
    (Anki buries a new card whose sibling is due that day, and with a 1-day learning step one is).
    """
    preset: dict[str, Any] = {
        "name": f"{deck.title}: Lernplan {plan.days} Tage, {per_day} neue Karten pro Tag",
        "new": {"perDay": per_day, "delays": list(LEARNING_STEPS), "ints": [1, 4, 0], "initialFactor": 2500,
                "order": 1, "bury": False},
        "rev": {"perDay": 200, "bury": True, "ease4": 1.3, "ivlFct": 1.0, "maxIvl": 36500, "hardFactor": 1.2},
        "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1, "mult": 0.0},
        "buryInterdayLearning": True, "newGatherPriority": GATHER_LOWEST_POSITION,
        "newSortOrder": SORT_AS_GATHERED, "newMix": 0, "interdayLearningMix": 0, "reviewOrder": 0,
        "maxTaken": 60, "autoplay": True, "timer": 0, "replayq": True, "dyn": False, "mod": 0, "usn": 0,
    }
    settings = json.dumps([deck.key, preset], sort_keys=True).encode()
    preset["id"] = 1_000_000_000_000 + int.from_bytes(hashlib.sha256(settings).digest()[:8], "big") % (
        900_000_000_000)
    return preset
