"""The onboarding plan in the deck file's front matter: how many learning days, and the trainer's notes."""

from __future__ import annotations

from typing import Any

from generator.errors import Diagnostic, SourceLocation, error
from generator.model import LearningPlan
from generator.source.frontmatter import FrontMatter, field_line

MAX_DAYS = 60
MAX_NOTE = 120  # characters: a note is one line of the calendar
PLAN_HINT = "write the plan as\n  plan:\n    days: 10\n    notes:\n      5: \"Rollenspiel Einwände\""


def parse_plan(front: FrontMatter, raw: str, path: str, diagnostics: list[Diagnostic]) -> LearningPlan | None:
    """The `plan:` table, or None if there is none or it is broken (then with an error at its line)."""
    value = front.values.get("plan")
    if value is None:
        return None
    lines = _Lines(front, raw, path)
    where = lines.of("plan")
    if not isinstance(value, dict):
        diagnostics.append(error(where, "`plan` must be a table with `days` and optional `notes`", PLAN_HINT))
        return None
    problems = [*_unknown(value, where), *_days_problem(value.get("days"), lines.of("days", "plan"))]
    notes = _notes(value.get("notes"), value.get("days"), lines, problems)
    diagnostics.extend(problems)
    if problems:
        return None
    return LearningPlan(int(value["days"]), notes, where)


class _Lines:
    """Where a field of the front matter stands: `name:` at the start of a line, or indented below
    the line of `parent:`; the opening fence if it is not found."""

    def __init__(self, front: FrontMatter, raw: str, path: str) -> None:
        self.front, self.raw, self.path = front, raw.split("\n"), path

    def of(self, name: str, *parents: str) -> SourceLocation:
        index = 0
        for depth, key in enumerate((*parents, name)):
            found = next((i for i in range(index, len(self.raw))
                          if self.raw[i].startswith(" " * bool(depth)) and
                          self.raw[i].strip().startswith(f"{key}:")), None)
            if found is None:
                return SourceLocation(self.path, field_line(self.front, "\n".join(self.raw), "plan"))
            index = found
        return SourceLocation(self.path, self.front.line + 1 + index)


def _unknown(value: dict[Any, Any], where: SourceLocation) -> list[Diagnostic]:
    return [error(where, f"unknown field `{name}` in `plan`", "`plan` has `days` and `notes`, see "
                  "content/README.md") for name in value if name not in ("days", "notes")]


def _days_problem(days: object, where: SourceLocation) -> list[Diagnostic]:
    if isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= MAX_DAYS:
        return []
    found = "has no `days`" if days is None else f"has `days: {days}`"
    return [error(where, f"the plan {found}", f"write the number of learning days, 1 to {MAX_DAYS}, "
                  "e.g. `days: 10` for two working weeks")]


def _notes(notes: object, days: object, lines: _Lines,
           problems: list[Diagnostic]) -> tuple[tuple[int, str], ...]:
    """The trainer's notes by day, checked: days of the plan, one short line each."""
    if notes is None:
        return ()
    if not isinstance(notes, dict):
        problems.append(error(lines.of("notes", "plan"), "`notes` in `plan` must be a table of day "
                              "numbers and notes", PLAN_HINT))
        return ()
    checked = []
    last = days if isinstance(days, int) and 1 <= days <= MAX_DAYS else MAX_DAYS
    for day, note in notes.items():
        line = lines.of(str(day), "plan", "notes")
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= last:
            problems.append(error(line, f"`{day}` is not a day of the plan",
                                  f"number the days of the notes 1 to {last}"))
        elif not isinstance(note, str) or not note.strip():
            problems.append(error(line, f"the note of day {day} must be text", "write e.g. "
                                  f"`{day}: \"Rollenspiel Einwände\"`"))
        elif len(note) > MAX_NOTE:
            problems.append(error(line, f"the note of day {day} is too long ({len(note)} characters, "
                                  f"limit {MAX_NOTE})", "keep it to one line of the calendar"))
        else:
            checked.append((day, " ".join(note.split())))
    return tuple(sorted(checked))
