"""YAML front matter of a content file: parsed with PyYAML, errors located by line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
import yaml.reader

from generator.errors import Diagnostic, SourceLocation, error, warning

FIELD_LINE = re.compile(r"^([^\s:#\-][^:]*):(?:\s|$)")
LINES_HINT = "write one `name: value` per line between the two `---` lines, e.g. `number: 3`"
QUOTE_HINT = ("write one `name: value` per line; put a value with special characters "
              "(: [ ] { } # & * ! | > ' \" % @) in double quotes")
# PyYAML's wording -> what a trainer understands. Unclosed brackets are reported where they open.
UNCLOSED = {
    "while scanning a quoted scalar": "a quotation mark is not closed",
    "while parsing a flow sequence": "a `[` is not closed",
    "while parsing a flow mapping": "a `{` is not closed",
}
COLON_IN_VALUE = ("a value contains `: `",
                  "put the whole value in double quotes, e.g. `title: \"Preis: Wert\"`")
BAD_START = re.compile(r"found character '(.+)' that cannot start any token")
SCALARS = (str, int, float, bool)
TABLES = ("plan",)  # the fields whose value is a table of its own (checked where it is read)


@dataclass(frozen=True)
class FrontMatter:
    values: dict[str, Any]
    line: int  # 1-based line of the opening "---"


def parse_front_matter(
    raw: str, first_line: int, path: str, known: tuple[str, ...], diagnostics: list[Diagnostic]
) -> FrontMatter | None:
    """Parse the YAML between the `---` fences; None (with a diagnostic) when it is broken."""
    problems = list(_line_problems(raw, first_line, path))
    if problems:
        diagnostics.extend(problems)
        return None
    try:
        values = yaml.safe_load(raw) if raw.strip() else {}
    except RecursionError:  # thousands of nested brackets
        diagnostics.append(error(SourceLocation(path, first_line), "broken front matter: values nested "
                                 "too deeply", "write one `name: value` per line, without brackets"))
        return None
    except yaml.YAMLError as exc:
        diagnostics.append(_yaml_error(exc, raw, first_line, path))
        return None
    if not isinstance(values, dict):
        diagnostics.append(error(SourceLocation(path, first_line),
                                 "broken front matter: expected `name: value` lines", LINES_HINT))
        return None
    front = FrontMatter({}, first_line)
    for name, value in values.items():
        where = SourceLocation(path, field_line(front, raw, str(name)))
        if name not in known:
            diagnostics.append(warning(where, f"unknown front matter field `{name}` is ignored",
                                       "allowed fields: " + ", ".join(known)))
        elif value is not None and not isinstance(value, SCALARS) and name not in TABLES:
            diagnostics.append(error(where, f"`{name}` must be a single value, not a list or a table",
                                     f"write `{name}: value` on one line"))
        else:
            front.values[str(name)] = value
    return front


def field_line(front: FrontMatter, raw: str, name: str) -> int:
    """The line of `name:` inside the front matter, or the opening fence if absent."""
    for offset, text in enumerate(raw.split("\n")):
        if text.startswith(f"{name}:"):
            return front.line + 1 + offset
    return front.line


def _line_problems(raw: str, first_line: int, path: str) -> list[Diagnostic]:
    """Lines that are not `name: value` (indented continuation lines and comments are fine)."""
    problems, seen = [], set()
    for offset, text in enumerate(raw.split("\n")):
        where = SourceLocation(path, first_line + 1 + offset)
        if not text.strip() or text[0] in " \t#-":
            continue
        if (match := FIELD_LINE.match(text)) is None:
            shown = text if len(text) <= 40 else text[:39] + "…"
            problems.append(error(where, f"broken front matter: `{shown}` is not a `name: value` line",
                                  LINES_HINT))
        elif (name := match.group(1).strip()) in seen:
            problems.append(error(where, f"broken front matter: `{name}` appears twice",
                                  "keep only one of the two lines"))
        else:
            seen.add(name)
    return problems


def _yaml_error(exc: yaml.YAMLError, raw: str, first_line: int, path: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):  # a control character; it has a position, not a mark
        line = first_line + 1 + raw.count("\n", 0, exc.position)
        return error(SourceLocation(path, line), "broken front matter: an invisible control character",
                     "retype the line; remove characters copied from other programs")
    problem = str(getattr(exc, "problem", None) or "invalid YAML")
    mark = getattr(exc, "problem_mark", None)
    context = str(getattr(exc, "context", None) or "")
    what, hint = f"the line cannot be read ({problem})", QUOTE_HINT
    if context in UNCLOSED and getattr(exc, "context_mark", None) is not None:
        what, mark = UNCLOSED[context], getattr(exc, "context_mark", None)
    elif problem == "mapping values are not allowed here":
        what, hint = COLON_IN_VALUE
    elif match := BAD_START.match(problem):
        if match.group(1) == "\\t":
            what, hint = "a tab character", "use spaces instead of tabs"
        else:
            what = f"a value cannot start with „{match.group(1)}“"
    line = first_line + 1 + (mark.line if mark is not None else 0)
    return error(SourceLocation(path, line), f"broken front matter: {what}", hint)


def missing_front_matter(text: str, path: str) -> Diagnostic:
    """Why a file has no front matter block: none, not on the first line, or not closed."""
    lines = text.split("\n")
    first = next(i for i, text in enumerate(lines) if text.strip())
    if lines[first].rstrip() != "---":
        return error(SourceLocation(path, 1), "the front matter is missing",
                     "start the file with `---`, then `name: value` lines, then `---`")
    if first:
        return error(SourceLocation(path, first + 1),
                     "the front matter must start on the first line", "remove the empty lines above `---`")
    return error(SourceLocation(path, 1), "the front matter is not closed",
                 "add a line `---` after the last `name: value` line")
