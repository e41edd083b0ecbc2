"""Frozen data objects passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from generator.errors import SourceLocation

PRACTICE_NUMBER = 100  # the practice file sorts after every truth (numbers are 0 to 99)

NoteKind = Literal["cloze", "phrasing", "scenario", "recognition"]
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
    sectors: tuple[str, ...] = ()  # `**Branche:**`: the tags a team studies its own sector by
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
    sectors: tuple[str, ...] = ()
    truths: tuple[int, ...] = ()  # `**Wahrheiten:**` of a combined scenario in the practice file
    kind: NoteKind = "scenario"


class RecognitionNote(NamedTuple):
    """"Welche Wahrheit?": a situation whose truth the learner names (practice across truths)."""

    key: str
    title: str
    situation: str
    truth: int  # the number of the truth that applies: the card's answer
    why: str
    wrong: str  # the tempting other truth and why it does not fit
    location: SourceLocation
    sectors: tuple[str, ...] = ()
    kind: NoteKind = "recognition"


Note = ClozeNote | PhrasingNote | ScenarioNote | RecognitionNote


def named_truths(note: Note) -> tuple[int, ...]:
    """The numbers of the truths a practice note names (its answer, or the truths it combines)."""
    return (note.truth,) if isinstance(note, RecognitionNote) else getattr(note, "truths", ())


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
    recognitions: tuple[RecognitionNote, ...] = ()
    practice: bool = False  # the practice file: notes across truths, after every truth, no number

    @property
    def notes(self) -> tuple[Note, ...]:
        """In teaching order: statements first (clozes), then wording, then applying it; within each
        kind as written. New cards are introduced in this order."""
        return (*self.clozes, *self.phrasings, *self.recognitions, *self.scenarios)

    @property
    def label(self) -> str:
        """The subdeck and card label, e.g. "03 Nutzen"; the practice file's title alone."""
        return self.title if self.practice else f"{self.number:02d} {self.title}"

    @property
    def tag_name(self) -> str:
        """The truth's tag below `<deck>::wahrheit::`, e.g. "03-nutzen"."""
        return f"{self.number:02d}-{self.key}"


@dataclass(frozen=True)
class LearningPlan:
    """The onboarding plan of the deck file: new cards spread over this many learning days."""

    days: int
    notes: tuple[tuple[int, str], ...]  # (day, the trainer's note for that day), by day
    location: SourceLocation  # the `plan:` line


@dataclass(frozen=True)
class DeckInfo:
    """The deck file: identity, title and the description shown in Anki."""

    key: str
    title: str
    language: str
    source: str
    description: str
    location: SourceLocation
    plan: LearningPlan | None = None


@dataclass(frozen=True)
class Content:
    """A whole content folder, parsed and ordered by truth number."""

    deck: DeckInfo
    truths: tuple[Truth, ...]

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(note for truth in self.truths for note in truth.notes)
