"""Source locations, diagnostics and the library's exception family."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple


class SourceLocation(NamedTuple):
    """A 1-based line in a content file, as shown to authors (ordered by path, then line).

    A NamedTuple: every note has one, and is made, pickled and unpickled faster so.
    """

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem in the content, with where it is and how to fix it."""

    location: SourceLocation
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


def error(location: SourceLocation, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(location, message, hint, Severity.ERROR)


def warning(location: SourceLocation, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(location, message, hint, Severity.WARNING)


class GeneratorError(Exception):
    """Base of every error the library raises on purpose."""


class UsageError(GeneratorError):
    """The caller asked for something impossible (missing folder, bad output path)."""


class ContentError(GeneratorError):
    """The content has errors; the build was stopped before writing any output."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        count = sum(d.is_error for d in self.diagnostics)
        super().__init__(f"{count} error(s) in the content")
