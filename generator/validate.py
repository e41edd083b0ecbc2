"""Rules over parsed content: keys, numbering, cloze gaps, lengths. Each rule returns diagnostics."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from generator import cloze
from generator.errors import Diagnostic, SourceLocation, error, warning
from generator.model import ClozeNote, Content, Note, PhrasingNote, ScenarioNote, Truth

KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KEY_LENGTH = (2, 40)
IDS_HINT = "run `wahrheiten-deck ids` (or `make ids`) to write missing keys; never invent keys by hand"

# Limits in characters of Markdown source: longer answers cannot be recalled in a few seconds.
LIMITS = {
    "core statement": 250, "explanation": 1500, "cloze sentence": 300, "cloze answer": 60,
    "phrasing": 250, "reason": 250, "scenario title": 80, "scenario field": 500, "choice": 200,
}
RAW_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")

Rule = Callable[[Content], Iterator[Diagnostic]]


def validate(content: Content) -> list[Diagnostic]:
    rules: tuple[Rule, ...] = (truth_numbers, truth_keys, note_keys, note_rules)
    return [d for rule in rules for d in rule(content)]


def key_problem(key: str) -> str:
    low, high = KEY_LENGTH
    if not KEY_PATTERN.fullmatch(key):
        return f"malformed key `{key}`: use lowercase letters, digits and single hyphens"
    if not low <= len(key) <= high:
        return f"malformed key `{key}`: a key has {low} to {high} characters"
    return ""


def truth_numbers(content: Content) -> Iterator[Diagnostic]:
    seen: dict[int, Truth] = {}
    for truth in content.truths:
        if truth.number in seen:
            yield error(truth.location, f"truth number {truth.number} is also used by "
                        f"{seen[truth.number].location.path}", "give every truth its own number")
        seen[truth.number] = truth
    expected = range(1, len(content.truths) + 1)
    missing = [n for n in expected if n not in seen]
    if missing and content.truths:
        yield warning(content.deck.location, "truth numbers are not consecutive: "
                      + ", ".join(map(str, missing)) + " missing", "number the truths 1, 2, 3, …")


def truth_keys(content: Content) -> Iterator[Diagnostic]:
    yield from _unique_keys(((t.key, t.location) for t in content.truths), "truth")
    if not content.deck.key:
        yield error(content.deck.location, "the deck file has no key", IDS_HINT)
    elif problem := key_problem(content.deck.key):
        yield error(content.deck.location, problem, IDS_HINT)


def note_keys(content: Content) -> Iterator[Diagnostic]:
    yield from _unique_keys(((n.key, n.location) for n in content.notes), "note")


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


def note_rules(content: Content) -> Iterator[Diagnostic]:
    for truth in content.truths:
        yield from _length(truth.location, "core statement", truth.core)
        yield from _length(truth.location, "explanation", truth.explanation)
        yield from _raw_html(truth.location, truth.core, truth.explanation)
        for note in truth.notes:
            yield from _NOTE_RULES[note.kind](note, truth)
            yield from _raw_html(note.location, *_texts(note))


def _cloze_rules(note: Note, truth: Truth) -> Iterator[Diagnostic]:
    assert isinstance(note, ClozeNote)
    scan = cloze.scan_gaps(note.text)
    for problem in scan.problems:
        at = SourceLocation(note.location.path, note.location.line + note.text.count("\n", 0, problem.offset))
        yield error(at, problem.message, problem.hint)
    if scan.problems:
        return
    if message := cloze.numbering_problem(scan.numbers):
        yield error(note.location, message, "number the gaps c1, c2, c3, … without leaving one out")
    yield from _length(note.location, "cloze sentence", note.text)
    for gap in scan.gaps:
        yield from _length(note.location, "cloze answer", gap.answer)
        front = cloze.front_text(note.text, gap.number) + " " + truth.title
        if gap.answer.casefold() in front.casefold():
            yield warning(note.location, f"the answer „{gap.answer}“ of c{gap.number} is visible on "
                          "the card's front", "rephrase so the card cannot be answered from its wording")


def _phrasing_rules(note: Note, truth: Truth) -> Iterator[Diagnostic]:
    assert isinstance(note, PhrasingNote)
    yield from _length(note.location, "phrasing", note.phrase)
    yield from _length(note.location, "reason", note.reason)
    yield from _length(note.location, "phrasing", note.better)


def _scenario_rules(note: Note, truth: Truth) -> Iterator[Diagnostic]:
    assert isinstance(note, ScenarioNote)
    yield from _length(note.location, "scenario title", note.title)
    for text in (note.situation, note.customer, note.reaction, note.why, note.wrong):
        yield from _length(note.location, "scenario field", text)
    for choice in note.choices:
        yield from _length(note.location, "choice", choice.text)
    correct = sum(choice.correct for choice in note.choices)
    if note.choices and (correct != 1 or len(note.choices) < 2):
        yield error(note.location, f"`**Auswahl:**` needs at least two choices with exactly one `[x]` "
                    f"(found {len(note.choices)} choices, {correct} marked)",
                    "mark the recommended reaction `- [x] …` and the others `- [ ] …`")


_NOTE_RULES: dict[str, Callable[[Note, Truth], Iterator[Diagnostic]]] = {
    "cloze": _cloze_rules, "phrasing": _phrasing_rules, "scenario": _scenario_rules,
}


def _texts(note: Note) -> tuple[str, ...]:
    if isinstance(note, ClozeNote):
        return (note.text,)
    if isinstance(note, PhrasingNote):
        return (note.phrase, note.reason, note.better)
    return (note.title, note.situation, note.customer, note.reaction, note.why, note.wrong,
            *(c.text for c in note.choices))


def _length(location: SourceLocation, what: str, text: str) -> Iterator[Diagnostic]:
    limit = LIMITS[what]
    if len(text) > limit:
        yield error(location, f"{what} is too long to learn ({len(text)} characters, limit {limit})",
                    "shorten it or split it into several notes: one fact per card")


def _raw_html(location: SourceLocation, *texts: str) -> Iterator[Diagnostic]:
    for text in texts:
        if match := RAW_HTML.search(text):
            yield warning(location, f"raw HTML `{match.group(0)[:40]}` is not allowed and was removed",
                          "write Markdown only: **bold**, *italic*, ![image](file.png)")
            return
