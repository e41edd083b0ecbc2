"""Frozen data objects passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from generator.errors import SourceLocation

NoteKind = Literal["cloze", "phrasing", "scenario"]
Verdict = Literal["say", "avoid"]


# The notes and choices are NamedTuples: immutable, one per note, kept in the build cache.


class ClozeNote(NamedTuple):
    """A sentence with author-marked, explicitly numbered gaps (Markdown source)."""

    key: str
    text: str
    location: SourceLocation
    kind: NoteKind = "cloze"


class PhrasingNote(NamedTuple):
    """Something to say or to avoid saying to a customer, with the reason."""

    key: str
    verdict: Verdict
    phrase: str
    reason: str
    better: str
    location: SourceLocation
    kind: NoteKind = "phrasing"


class Choice(NamedTuple):
    text: str
    correct: bool


class ScenarioNote(NamedTuple):
    """A customer conversation: situation, the customer's words and the right reaction."""

    key: str
    title: str
    situation: str
    customer: str
    reaction: str
    why: str
    wrong: str
    choices: tuple[Choice, ...]
    location: SourceLocation
    kind: NoteKind = "scenario"


Note = ClozeNote | PhrasingNote | ScenarioNote


@dataclass(frozen=True)
class Truth:
    """One truth file: its statement, explanation and notes."""

    key: str
    number: int
    title: str
    core: str
    explanation: str
    clozes: tuple[ClozeNote, ...]
    phrasings: tuple[PhrasingNote, ...]
    scenarios: tuple[ScenarioNote, ...]
    location: SourceLocation
    number_location: SourceLocation  # the `number:` line

    @property
    def notes(self) -> tuple[Note, ...]:
        return (*self.clozes, *self.phrasings, *self.scenarios)

    @property
    def label(self) -> str:
        """The subdeck and card label, e.g. "03 Nutzen"."""
        return f"{self.number:02d} {self.title}"


@dataclass(frozen=True)
class DeckInfo:
    """The deck file: identity, title and the description shown in Anki."""

    key: str
    title: str
    language: str
    source: str
    description: str
    location: SourceLocation


@dataclass(frozen=True)
class Content:
    """A whole content folder, parsed and ordered by truth number."""

    deck: DeckInfo
    truths: tuple[Truth, ...]

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(note for truth in self.truths for note in truth.notes)
