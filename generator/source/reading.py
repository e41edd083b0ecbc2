"""Find and read the content files: sorted, UTF-8, inside the content folder, size-limited."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from generator.errors import Diagnostic, SourceLocation, UsageError, error
from generator.files import display_name

DECK_FILE = "deck.md"
GUIDE_FILE = "README.md"
MAX_FILE_BYTES = 1_000_000
# Control characters but tab and line breaks: invisible in an editor, and U+001F splits an Anki note's
# fields. C1 controls (U+0080 to U+009F) come from text decoded with the wrong encoding.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class SourceFile:
    """One content file as read, with the name shown in messages.

    Its text is decoded when first asked for: a file the build cache knows by its bytes' digest need
    not be decoded at all.
    """

    path: Path
    display: str
    data: bytes
    root: Path = Path(".")  # the resolved content folder: images are looked up inside it

    @cached_property
    def digest(self) -> bytes:
        """SHA-256 of the bytes: what the build cache keys on."""
        return hashlib.sha256(self.data).digest()

    @property
    def text(self) -> str:
        """BOM removed, line endings `\\n`, control characters removed; bytes that are not UTF-8 as
        U+FFFD (`unprintable` and `problem` say where)."""
        return self._decoded.text

    @property
    def problem(self) -> Diagnostic | None:
        """Why the bytes are not UTF-8 text, if they are not."""
        return self._decoded.problem

    @property
    def unprintable(self) -> tuple[Diagnostic, ...]:
        """An error for each line with a control character (Anki splits a note's fields at U+001F)."""
        return self._decoded.unprintable

    @cached_property
    def _decoded(self) -> Decoded:
        return _decode(self.data, self.display)


class Decoded(NamedTuple):
    text: str
    problem: Diagnostic | None
    unprintable: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class SourceSet:
    deck: SourceFile | None
    truths: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_sources(content_dir: Path) -> SourceSet:
    if not content_dir.is_dir():
        raise UsageError(f"content folder not found: {content_dir}")
    root = content_dir.resolve()
    diagnostics: list[Diagnostic] = []
    files: list[SourceFile] = []
    for path in sorted(content_dir.rglob("*.md")):
        if any(part.startswith(".") for part in path.relative_to(content_dir).parts):
            continue
        source = _read_one(path, root, diagnostics)
        if source is not None:
            files.append(source)
    deck_path = content_dir / DECK_FILE
    truths = tuple(f for f in files if f.path != deck_path and f.path.name != GUIDE_FILE)
    for other in (f for f in files if f.path == deck_path or f.path.name == GUIDE_FILE):
        if other.problem:  # the truth files' are found where they are compiled
            diagnostics.append(other.problem)
    if deck_file := next((f for f in files if f.path == deck_path), None):
        diagnostics.extend(deck_file.unprintable)
    deck = next((f for f in files if f.path == deck_path and not f.problem), None)
    if deck_path.is_dir():
        diagnostics.append(error(SourceLocation(display_name(deck_path)),
                                 "deck.md is a folder, not the deck file", "rename the folder and create "
                                 "deck.md with front matter: key, title, language, source"))
    elif deck is None and not deck_path.is_symlink() and not deck_path.exists():
        diagnostics.append(error(
            SourceLocation(display_name(deck_path)),
            "the deck file is missing",
            "create deck.md with front matter: key, title, language, source (see content/README.md)",
        ))
    return SourceSet(deck, truths, tuple(diagnostics))


def _read_one(path: Path, root: Path, diagnostics: list[Diagnostic]) -> SourceFile | None:
    shown = display_name(path)
    try:
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            problem = (f"symbolic link points outside the content folder (to {resolved})",
                       "copy the file into the content folder instead of linking to it")
        elif resolved.is_dir():
            return None  # a folder whose name ends in .md
        elif (size := resolved.stat().st_size) > MAX_FILE_BYTES:
            problem = (f"the file is too large ({size:,} bytes, limit {MAX_FILE_BYTES:,})",
                       "split the content into several files, one per truth")
        else:
            return SourceFile(path, shown, resolved.read_bytes(), root)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop (Python < 3.13)
        problem = (f"the file cannot be read ({getattr(exc, 'strerror', None) or exc})",
                   "check that the file exists and that you may read it")
    diagnostics.append(error(SourceLocation(shown), *problem))
    return None


def _decode(data: bytes, shown: str) -> Decoded:
    problem = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data[: exc.start].count(b"\n") + 1
        column = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        problem = error(
            SourceLocation(shown, line),
            f"the file is not saved as UTF-8 (unreadable byte 0x{data[exc.start]:02x} in column {column})",
            "save the file with the encoding UTF-8 in your editor (\"Save as\", encoding UTF-8)",
        )
        text = data.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if problem or not CONTROL.search(text):
        return Decoded(text, problem, ())
    unprintable = []
    for number, content in enumerate(text.split("\n"), 1):
        if found := CONTROL.search(content):
            unprintable.append(error(
                SourceLocation(shown, number),
                f"an invisible control character (U+{ord(found.group()):04X}) in column {found.start() + 1}",
                "delete it (such characters come with text copied from other programs)"))
    return Decoded(CONTROL.sub("", text), None, tuple(unprintable))  # reported once, not again by the parser
