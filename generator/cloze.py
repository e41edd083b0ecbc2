"""Find the author's cloze gaps `{{cN::answer::hint}}` in a text and report malformed ones."""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING = re.compile(r"\{\{c(\d+)::")


@dataclass(frozen=True)
class Gap:
    number: int
    answer: str
    hint: str
    start: int
    end: int


@dataclass(frozen=True)
class GapProblem:
    offset: int
    message: str
    hint: str


@dataclass(frozen=True)
class ClozeScan:
    gaps: tuple[Gap, ...]
    problems: tuple[GapProblem, ...]

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(sorted({gap.number for gap in self.gaps}))


SYNTAX_HINT = "write a gap as {{c1::answer}} or {{c1::answer::hint}}"


def scan_gaps(text: str) -> ClozeScan:
    gaps: list[Gap] = []
    problems: list[GapProblem] = []
    position = 0
    while (start := text.find("{{", position)) != -1:
        opening = OPENING.match(text, start)
        close = text.find("}}", start + 2)
        if opening is None:
            problems.append(GapProblem(start, "malformed cloze gap", SYNTAX_HINT))
            position = start + 2
            continue
        if close == -1:
            problems.append(GapProblem(start, "unclosed cloze gap (missing `}}`)", SYNTAX_HINT))
            break
        inner = text[opening.end():close]
        if "{{" in inner:
            problems.append(GapProblem(start, "nested cloze gap",
                                       "gaps cannot contain gaps; split them into separate gaps"))
            position = text.find("}}", close + 2) + 2 if "}}" in text[close + 2:] else len(text)
            continue
        answer, _, hint = inner.partition("::")
        if not answer.strip():
            problems.append(GapProblem(start, "empty cloze gap", "write the answer after `::`"))
        else:
            gaps.append(Gap(int(opening.group(1)), answer.strip(), hint.strip(), start, close + 2))
        position = close + 2
    if not problems:
        blanked = text
        for gap in gaps:
            blanked = blanked[:gap.start] + " " * (gap.end - gap.start) + blanked[gap.end:]
        if (stray := blanked.find("}}")) != -1:
            problems.append(GapProblem(stray, "`}}` without an opening `{{cN::`", SYNTAX_HINT))
    return ClozeScan(tuple(gaps), tuple(problems))


def numbering_problem(numbers: tuple[int, ...]) -> str:
    """Why the gap numbers are not 1..n without holes, or "" if they are."""
    if not numbers:
        return "the cloze sentence has no gap"
    expected = tuple(range(1, max(numbers) + 1))
    if numbers != expected:
        missing = ", ".join(f"c{n}" for n in expected if n not in numbers)
        return f"cloze numbers have a gap: {missing} is missing"
    return ""


def front_text(text: str, number: int) -> str:
    """What a learner sees on card `number`: its gaps hidden, the other gaps shown as answers."""
    pieces, position = [], 0
    for gap in scan_gaps(text).gaps:
        pieces.append(text[position:gap.start])
        pieces.append("[...]" if gap.number == number else gap.answer)
        position = gap.end
    pieces.append(text[position:])
    return "".join(pieces)
