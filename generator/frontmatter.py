"""YAML front matter of a content file: parsed with PyYAML, errors located by line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from generator.errors import Diagnostic, SourceLocation, error, warning


@dataclass(frozen=True)
class FrontMatter:
    values: dict[str, Any]
    line: int  # 1-based line of the opening "---"


def parse_front_matter(
    raw: str, first_line: int, path: str, known: tuple[str, ...], diagnostics: list[Diagnostic]
) -> FrontMatter | None:
    """Parse the YAML between the `---` fences; None (with a diagnostic) when it is broken."""
    try:
        values = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + 1 + (mark.line if mark is not None else 0)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        diagnostics.append(error(
            SourceLocation(path, line), f"broken front matter: {problem}",
            "write one `name: value` per line between the two `---` lines",
        ))
        return None
    if not isinstance(values, dict):
        diagnostics.append(error(
            SourceLocation(path, first_line), "broken front matter: expected `name: value` lines",
            "write one `name: value` per line between the two `---` lines",
        ))
        return None
    lines = raw.split("\n")
    for name in values:
        if name not in known:
            offset = next((i for i, text in enumerate(lines) if text.startswith(f"{name}:")), 0)
            diagnostics.append(warning(
                SourceLocation(path, first_line + 1 + offset),
                f"unknown front matter field `{name}` is ignored",
                "allowed fields: " + ", ".join(known),
            ))
    return FrontMatter({str(k): v for k, v in values.items()}, first_line)


def field_line(front: FrontMatter, raw: str, name: str) -> int:
    """The line of `name:` inside the front matter, or the opening fence if absent."""
    for offset, text in enumerate(raw.split("\n")):
        if text.startswith(f"{name}:"):
            return front.line + 1 + offset
    return front.line
