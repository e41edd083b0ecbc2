"""Find the author's cloze gaps `{{cN::answer::hint}}` in a text and report malformed ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

OPENING = re.compile(r"\{\{c(\d+)::")
MAX_GAP_NUMBER = 50


class Gap(NamedTuple):  # one per gap of every cloze note: a NamedTuple is made faster
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


@lru_cache(maxsize=256)  # the rules and the renderer scan each cloze sentence: once is enough
def scan_gaps(text: str) -> ClozeScan:
    gaps: list[Gap] = []
    problems: list[GapProblem] = []
    position = 0
    while (start := text.find("{{", position)) != -1:
        opening = OPENING.match(text, start)
        if opening is None:
            problems.append(GapProblem(start, f"malformed cloze gap `{_snippet(text, start)}`", SYNTAX_HINT))
            position = start + 2
            continue
        if len(digits := opening.group(1)) > 2 or int(digits) > MAX_GAP_NUMBER:
            shown = digits if len(digits) <= 8 else digits[:8] + "…"
            problems.append(GapProblem(start, f"cloze gap number c{shown} is too high "
                                       f"(at most c{MAX_GAP_NUMBER})", "number the gaps c1, c2, c3, …"))
            position = start + 2
            continue
        close = text.find("}}", start + 2)
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
            problems.append(GapProblem(start, f"empty cloze gap `{_snippet(text, start)}`",
                                       "write the answer after `::`, e.g. {{c1::answer}}"))
        else:
            gaps.append(Gap(int(opening.group(1)), answer.strip(), hint.strip(), start, close + 2))
        position = close + 2
    if not problems and (stray := _stray_closing(text, gaps)) != -1:
        problems.append(GapProblem(stray, "`}}` without an opening `{{cN::`", SYNTAX_HINT))
    return ClozeScan(tuple(gaps), tuple(problems))


def _stray_closing(text: str, gaps: list[Gap]) -> int:
    """The first `}}` outside the gaps, or -1 (a gap starts with `{{` and ends with `}}`: no `}}` can
    reach across its edges)."""
    position = 0
    for start, end in [(gap.start, gap.end) for gap in gaps] + [(len(text), len(text))]:
        if (found := text.find("}}", position, start)) != -1:
            return found
        position = end
    return -1


def numbering_problem(numbers: tuple[int, ...]) -> str:
    """Why the (sorted, distinct) gap numbers are not 1..n without holes, or "" if they are."""
    if not numbers:
        return "the cloze sentence has no gap"
    if numbers[0] < 1:
        return "cloze numbers start at c1, not c0"
    present = set(numbers)
    missing = list(islice((f"c{n}" for n in range(1, numbers[-1]) if n not in present), 5))
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        return f"cloze numbers have a gap: {', '.join(missing)} {verb} missing"
    return ""


def _snippet(text: str, start: int) -> str:
    end = text.find("}}", start, start + 42)
    piece = text[start:end + 2] if end != -1 else text[start:start + 20] + "…"
    return " ".join(piece.split())


def front_text(text: str, number: int, gaps: tuple[Gap, ...] | None = None) -> str:
    """What a learner sees on card `number`: its gaps hidden, the other gaps shown as answers.

    `gaps` are the text's scanned gaps, if the caller has them already.
    """
    pieces, position = [], 0
    for gap in scan_gaps(text).gaps if gaps is None else gaps:
        pieces.append(text[position:gap.start])
        pieces.append("[...]" if gap.number == number else gap.answer)
        position = gap.end
    pieces.append(text[position:])
    return "".join(pieces)
