"""Rules over parsed content: keys, numbering, cloze gaps, lengths. Each rule returns diagnostics."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from generator.errors import Diagnostic, SourceLocation, error, warning
from generator.model import (
    ClozeNote,
    Content,
    Note,
    PhrasingNote,
    RecognitionNote,
    ScenarioNote,
    Truth,
    named_truths,
)
from generator.rules import cloze

KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KEY_LENGTH = (2, 40)
IDS_HINT = "run `wahrheiten-deck ids` (or `make ids`) to write missing keys; never invent keys by hand"

# Limits in characters of Markdown source: longer answers cannot be recalled in a few seconds.
LIMITS = {
    "title": 80, "core statement": 250, "explanation": 1500, "cloze sentence": 300, "cloze answer": 60,
    "phrasing": 250, "reason": 250, "scenario title": 80, "scenario field": 500, "choice": 200,
}
LENGTH_HINT = "shorten it or split it into several notes: one fact per card"

def validate(content: Content, complete: bool = True) -> list[Diagnostic]:
    """The rules across files (numbers and truth keys); each file's own notes are checked by
    `truth_rules`, note keys against the lock by release/identity.py. `complete`: every truth file
    could be read."""
    return [*truth_numbers(content, complete), *truth_keys(content), *practice_references(content)]


def key_problem(key: str) -> str:
    low, high = KEY_LENGTH
    if not KEY_PATTERN.fullmatch(key):
        return f"malformed key `{key}`: use lowercase letters, digits and single hyphens"
    if not low <= len(key) <= high:
        return f"malformed key `{key}`: a key has {low} to {high} characters"
    return ""


def truth_numbers(content: Content, complete: bool = True) -> Iterator[Diagnostic]:
    """Unique numbers; gaps in the numbering only when every truth file could be read (`complete`): a
    file with errors is missing from `content`, and its number would be reported as missing too."""
    seen: dict[int, Truth] = {}
    practice = [truth for truth in content.truths if truth.practice]
    for extra in practice[1:]:
        yield error(extra.location, f"a second practice file (the first is {practice[0].location.path})",
                    "put all notes across truths into one file with `practice: true`")
    truths = [truth for truth in content.truths if not truth.practice]
    for truth in truths:
        if truth.number in seen:
            yield error(truth.number_location, f"truth number {truth.number} is also used by "
                        f"{seen[truth.number].number_location}", "give every truth its own number")
        seen[truth.number] = truth
    first = 0 if 0 in seen else 1  # 0 is an introduction before truth 1
    missing = [n for n in range(first, first + len(truths)) if n not in seen]
    if missing and truths and complete:
        yield warning(content.deck.location, "truth numbers are not consecutive: "
                      + ", ".join(map(str, missing)) + " missing", "number the truths 1, 2, 3, …")


def practice_references(content: Content) -> Iterator[Diagnostic]:
    """The truths that practice notes name must exist (the cards show their titles)."""
    numbers = {truth.number for truth in content.truths if not truth.practice}
    for truth in content.truths:
        for note in truth.notes:
            for number in named_truths(note):
                if number not in numbers:
                    yield error(note.location, f"there is no truth {number}",
                                "name the number of an existing truth (its `number:`)")


def truth_keys(content: Content) -> Iterator[Diagnostic]:
    yield from _unique_keys(((t.key, t.location) for t in content.truths), "truth")
    if not content.deck.key:
        yield error(content.deck.location, "the deck file has no key", IDS_HINT)
    elif problem := key_problem(content.deck.key):
        yield error(content.deck.location, problem, IDS_HINT)


def _key_rules(notes: tuple[Note, ...]) -> Iterator[Diagnostic]:
    for note in notes:
        if not note.key:
            yield error(note.location, "the note has no key", IDS_HINT)
        elif problem := key_problem(note.key):
            yield error(note.location, problem, IDS_HINT)


def _unique_keys(items: Iterator[tuple[str, SourceLocation]], what: str) -> Iterator[Diagnostic]:
    first: dict[str, SourceLocation] = {}
    for key, location in items:
        if not key:
            yield error(location, f"the {what} has no key", IDS_HINT)
        elif problem := key_problem(key):
            yield error(location, problem, IDS_HINT)
        elif key in first:
            yield error(location, f"duplicate {what} key `{key}` (first used at {first[key]})",
                        "delete this key line and run `wahrheiten-deck ids` to get a new one")
        else:
            first[key] = location


def truth_rules(truth: Truth) -> list[Diagnostic]:
    """The rules for each note of one truth file: keys, gaps, lengths, answer choices."""
    notes = truth.notes
    return [*_key_rules(notes), *(d for note in notes for d in _NOTE_RULES[note.kind](note, truth))]


def _cloze_rules(note: Note, truth: Truth) -> Iterator[Diagnostic]:
    assert isinstance(note, ClozeNote)
    scan = cloze.scan_gaps(note.text)
    for problem in scan.problems:
        yield error(_line_in(note, problem.offset), problem.message, problem.hint)
    if scan.problems:
        return
    if message := cloze.numbering_problem(scan.numbers):
        yield error(note.location, message, "number the gaps c1, c2, c3, … without leaving one out")
    yield from too_long(note.location, "the cloze sentence", "cloze sentence", note.text)
    for gap in scan.gaps:
        at = _line_in(note, gap.start)
        yield from too_long(at, f"the answer of c{gap.number}", "cloze answer", gap.answer)
        front = cloze.front_text(note.text, gap.number, scan.gaps)
        if gap.answer.casefold() in front.casefold():
            yield warning(at, f"the answer „{gap.answer}“ of c{gap.number} is visible on "
                          "the card's front", "rephrase so the card cannot be answered from its wording")


def _phrasing_rules(note: Note, truth: Truth) -> Iterator[Diagnostic]:
    assert isinstance(note, PhrasingNote)
    verdict = "`**Sagen:**`" if note.verdict == "say" else "`**Vermeiden:**`"
    yield from too_long(note.location, verdict, "phrasing", note.phrase)
    yield from too_long(note.location, "`**Warum:**`", "reason", note.reason)
    yield from too_long(note.location, "`**Besser:**`", "phrasing", note.better)


def _scenario_rules(note: Note, truth: Truth) -> Iterator[Diagnostic]:
    assert isinstance(note, ScenarioNote)
    yield from too_long(note.location, "the scenario title", "scenario title", note.title)
    fields = {"Situation": note.situation, "Kunde": note.customer, "Reaktion": note.reaction,
              "Warum": note.why, "Verlockend, aber falsch": note.wrong}
    for label, text in fields.items():
        yield from too_long(note.location, f"`**{label}:**` of the scenario „{note.title[:40]}“",
                            "scenario field", text)
    for choice in note.choices:
        yield from too_long(note.location, f"the choice „{choice.text[:40]}…“", "choice", choice.text)
    correct = sum(choice.correct for choice in note.choices)
    if note.choices and (correct != 1 or len(note.choices) < 2):
        yield error(note.location, f"`**Auswahl:**` needs at least two choices with exactly one `[x]` "
                    f"(found {len(note.choices)} choices, {correct} marked)",
                    "mark the recommended reaction `- [x] …` and the others `- [ ] …`")


def _recognition_rules(note: Note, truth: Truth) -> Iterator[Diagnostic]:
    assert isinstance(note, RecognitionNote)
    yield from too_long(note.location, "the title", "scenario title", note.title)
    for label, text in {"Situation": note.situation, "Warum": note.why,
                        "Verlockend, aber falsch": note.wrong}.items():
        yield from too_long(note.location, f"`**{label}:**` of „{note.title[:40]}“", "scenario field", text)


_NOTE_RULES: dict[str, Callable[[Note, Truth], Iterator[Diagnostic]]] = {
    "cloze": _cloze_rules, "phrasing": _phrasing_rules, "scenario": _scenario_rules,
    "recognition": _recognition_rules,
}


def _line_in(note: ClozeNote, offset: int) -> SourceLocation:
    """The source line of a position in a cloze sentence (its lines are the list item's lines)."""
    return SourceLocation(note.location.path, note.location.line + note.text.count("\n", 0, offset))


def too_long(location: SourceLocation, what: str, kind: str, text: str,
             hint: str = LENGTH_HINT) -> tuple[Diagnostic, ...]:
    """An error if `text` is longer than the limit for its kind (see LIMITS). A tuple, not a generator:
    it is asked for every field of every note and nearly always empty."""
    limit = LIMITS[kind]
    if len(text) <= limit:
        return ()
    return (error(location, f"{what} is too long to learn ({len(text)} characters, limit {limit})", hint),)
