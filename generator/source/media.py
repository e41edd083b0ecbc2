"""Images referenced from content: loaded from inside the content folder, renamed by content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from generator.errors import Diagnostic, SourceLocation, error
from generator.model import Note, Truth
from generator.rules.images import IMAGE_HINT, image_problem
from generator.source.markdown import markdown


@dataclass(frozen=True)
class MediaFile:
    """One image as it goes into the package: its hashed name and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class MediaSet:
    by_reference: dict[str, MediaFile]  # keyed by the image's src as the Markdown parser gives it
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def files(self) -> tuple[MediaFile, ...]:
        unique = {m.name: m for m in self.by_reference.values()}
        return tuple(unique[name] for name in sorted(unique))


def image_sources(text: str) -> Iterator[str]:
    """The src of every image in the Markdown `text`, normalised exactly as the renderer will see it."""
    if "![" not in text:  # every image starts so: most texts need no parse at all
        return
    for token in markdown().parse(text):
        for child in token.children or ():
            if child.type == "image":
                yield str(child.attrs.get("src", ""))


def collect_media(texts: Iterable[tuple[SourceLocation, str]], content_dir: Path) -> MediaSet:
    """Load every usable image the texts (Markdown, each with where it was written) refer to.

    Unusable references are reported by the parser with their exact line and skipped here.
    """
    root = content_dir.resolve()
    found: dict[str, MediaFile] = {}
    diagnostics: list[Diagnostic] = []
    for location, text in texts:
        for reference in image_sources(text):
            if reference in found or image_problem(reference, root):
                continue
            try:
                data = (root / unquote(reference)).read_bytes()
            except OSError as exc:
                diagnostics.append(error(location, f"image `{unquote(reference)}` cannot be read "
                                         f"({exc.strerror or exc})", IMAGE_HINT))
                continue
            digest = hashlib.sha256(data).hexdigest()[:16]
            name = f"wk-{digest}{PurePosixPath(unquote(reference)).suffix.lower()}"
            found[reference] = MediaFile(name, data)
    return MediaSet(found, tuple(diagnostics))


def merge_media(sets: Iterable[MediaSet]) -> MediaSet:
    """One set of several (the deck file's and each truth file's images)."""
    found: dict[str, MediaFile] = {}
    diagnostics: list[Diagnostic] = []
    for media in sets:
        found.update(media.by_reference)
        diagnostics.extend(media.diagnostics)
    return MediaSet(found, tuple(diagnostics))


def truth_texts(truth: Truth) -> Iterator[tuple[SourceLocation, str]]:
    """Every Markdown text of a truth that can hold an image."""
    yield truth.location, truth.core
    yield truth.location, truth.explanation
    for note in truth.notes:
        for text in _note_texts(note):
            yield note.location, text


def _note_texts(note: Note) -> tuple[str, ...]:
    return tuple(v for v in note if isinstance(v, str)) + tuple(
        c.text for c in getattr(note, "choices", ()))
