"""Images referenced from content: only from inside the content folder, renamed by content hash."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from generator.errors import Diagnostic, SourceLocation, error
from generator.model import Content, Note

IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
MAX_MEDIA_BYTES = 5_000_000


@dataclass(frozen=True)
class MediaFile:
    """One image as it goes into the package: its hashed name and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class MediaSet:
    by_reference: dict[str, MediaFile]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def files(self) -> tuple[MediaFile, ...]:
        unique = {m.name: m for m in self.by_reference.values()}
        return tuple(unique[name] for name in sorted(unique))


def collect_media(content: Content, content_dir: Path) -> MediaSet:
    root = content_dir.resolve()
    found: dict[str, MediaFile] = {}
    diagnostics: list[Diagnostic] = []
    for location, reference in _references(content):
        if reference in found:
            continue
        media = _load(reference, root, location, diagnostics)
        if media is not None:
            found[reference] = media
    return MediaSet(found, tuple(diagnostics))


def _references(content: Content) -> Iterator[tuple[SourceLocation, str]]:
    for truth in content.truths:
        for text in (truth.core, truth.explanation):
            for match in IMAGE.finditer(text):
                yield truth.location, match.group(1)
        for note in truth.notes:
            for text in _note_texts(note):
                for match in IMAGE.finditer(text):
                    yield note.location, match.group(1)


def _note_texts(note: Note) -> tuple[str, ...]:
    return tuple(str(v) for v in vars(note).values() if isinstance(v, str)) + tuple(
        c.text for c in getattr(note, "choices", ()))


def _load(reference: str, root: Path, location: SourceLocation,
          diagnostics: list[Diagnostic]) -> MediaFile | None:
    hint = "put the image into the content folder and link it relatively, e.g. ![Bild](bilder/x.png)"
    relative = PurePosixPath(unquote(reference))
    if "://" in reference or reference.startswith(("data:", "javascript:", "mailto:")):
        problem = f"image `{reference}` is not a file in the content folder"
    elif relative.is_absolute() or ".." in relative.parts:
        problem = f"image path `{reference}` must be relative and stay inside the content folder"
    elif relative.suffix.lower() not in IMAGE_TYPES:
        problem = f"`{reference}` is not a supported image ({', '.join(sorted(IMAGE_TYPES))})"
    else:
        path = (root / relative).resolve()
        if not path.is_relative_to(root):
            problem = f"image `{reference}` points outside the content folder"
        elif not path.is_file():
            problem = f"image `{reference}` not found"
        elif path.stat().st_size > MAX_MEDIA_BYTES:
            problem = f"image `{reference}` is larger than {MAX_MEDIA_BYTES:,} bytes"
        else:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:16]
            return MediaFile(f"wk-{digest}{relative.suffix.lower()}", data)
    diagnostics.append(error(location, problem, hint))
    return None
