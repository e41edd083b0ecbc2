"""Progress of a build: the pipeline reports stages and steps; the CLI shows them as a bar on a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

# Stages in pipeline order, weighted by their share of a cold build's time (measured with bench/).
STAGES = {"read": 1, "files": 60, "check": 5, "render": 4, "package": 30}


class Progress:
    """Receives the pipeline's progress; this one shows nothing (the library never prints)."""

    def stage(self, name: str, total: int = 0) -> None:
        """A new stage begins; `total` steps (files, notes) if it reports any."""

    def advance(self, steps: int = 1) -> None:
        """`steps` more steps of the current stage are done."""

    def close(self) -> None:
        """The build is over (done or failed)."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


NO_PROGRESS = Progress()


class TerminalBar(Progress):
    """One line on a terminal, drawn only once the build has run for `delay` seconds, erased at the end."""

    def __init__(self, stream: TextIO, delay: float = 1.0, width: int = 30,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.delay, self.width, self.clock = stream, delay, width, clock
        self.started = clock()
        self.drawn_at = 0.0
        self.shown = 0  # length of the line on screen
        self.name, self.done, self.total = "", 0, 0

    def stage(self, name: str, total: int = 0) -> None:
        self.name, self.done, self.total = name, 0, total
        self._draw(force=True)

    def advance(self, steps: int = 1) -> None:
        self.done = min(self.done + steps, self.total)
        self._draw()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0

    def fraction(self) -> float:
        """Of the whole build, by stage weights."""
        names = list(STAGES)
        if self.name not in STAGES:
            return 0.0
        before = sum(STAGES[n] for n in names[: names.index(self.name)])
        within = self.done / self.total if self.total else 0.0
        return (before + within * STAGES[self.name]) / sum(STAGES.values())

    def line(self) -> str:
        filled = round(self.fraction() * self.width)
        count = f" {self.done}/{self.total}" if self.total else ""
        return f"{self.name:<8}[{'#' * filled}{'-' * (self.width - filled)}] {self.fraction():4.0%}{count}"

    def _draw(self, force: bool = False) -> None:
        now = self.clock()
        if now - self.started < self.delay or (not force and now - self.drawn_at < 0.1):
            return
        text = self.line()
        self.stream.write("\r" + text + " " * max(0, self.shown - len(text)))
        self.stream.flush()
        self.shown, self.drawn_at = len(text), now


def terminal_progress(stream: TextIO, quiet: bool = False) -> Progress:
    """A bar on `stream` if it is a terminal; nothing when quiet or when output goes to a file or pipe."""
    isatty = getattr(stream, "isatty", None)
    if quiet or isatty is None or not isatty():
        return NO_PROGRESS
    return TerminalBar(stream)
