"""Find and read the content files: sorted, UTF-8, inside the content folder, size-limited."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Diagnostic, SourceLocation, UsageError, error

DECK_FILE = "deck.md"
GUIDE_FILE = "README.md"
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class SourceFile:
    """One content file's text, with the name shown in messages."""

    path: Path
    display: str
    text: str


@dataclass(frozen=True)
class SourceSet:
    deck: SourceFile | None
    truths: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]


def display_name(path: Path) -> str:
    """Paths in messages are relative to the working directory where possible."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


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
    deck = next((f for f in files if f.path == content_dir / DECK_FILE), None)
    truths = tuple(f for f in files
                   if f.path != content_dir / DECK_FILE and f.path.name != GUIDE_FILE)
    if deck is None and not (content_dir / DECK_FILE).exists():
        diagnostics.append(error(
            SourceLocation(display_name(content_dir / DECK_FILE)),
            "the deck file is missing",
            "create deck.md with front matter: key, title, language, source (see content/README.md)",
        ))
    return SourceSet(deck, truths, tuple(diagnostics))


def _read_one(path: Path, root: Path, diagnostics: list[Diagnostic]) -> SourceFile | None:
    shown = display_name(path)
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        diagnostics.append(error(
            SourceLocation(shown),
            f"symbolic link points outside the content folder (to {resolved})",
            "copy the file into the content folder instead of linking to it",
        ))
        return None
    size = resolved.stat().st_size
    if size > MAX_FILE_BYTES:
        diagnostics.append(error(
            SourceLocation(shown),
            f"file is too large ({size:,} bytes, limit {MAX_FILE_BYTES:,})",
            "split the content into several files, one per truth",
        ))
        return None
    text = _decode(resolved.read_bytes(), shown, diagnostics)
    if text is None:
        return None
    return SourceFile(path, shown, text)


def _decode(data: bytes, shown: str, diagnostics: list[Diagnostic]) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diagnostics.append(error(
            SourceLocation(shown, line),
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "save the file with UTF-8 encoding in your editor",
        ))
        return None
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")
