"""Write the static preview site: index.html (self-contained) with the deck's media beside it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.anki.render import Renderer
from generator.errors import UsageError
from generator.files import atomic_write
from generator.pipeline import DEFAULT_PREVIEW_DIR, Release
from generator.preview.cards import PreviewCard, preview_cards
from generator.preview.page import page_html

INDEX = "index.html"
# Only files named like the deck's media (generator.media) are ever removed from the folder.
MEDIA_NAME = re.compile(r"wk-[0-9a-f]{16}\.[a-z]+")


@dataclass(frozen=True)
class PreviewResult:
    index: Path
    cards: tuple[PreviewCard, ...]


def write_preview(compiled: Release, folder: Path | None = None) -> PreviewResult:
    """Render the whole page in memory, then write it and the media; stale media files go."""
    folder = folder or DEFAULT_PREVIEW_DIR
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"preview output must be a folder, not a file: {folder}")
    cards = preview_cards(compiled.content, compiled.deck)
    page = page_html(compiled.content, cards, Renderer(compiled.media), compiled.lock.release,
                     compiled.curriculum)
    wanted = {media.name: media.data for media in compiled.media.files}
    for name, data in wanted.items():
        target = folder / name
        if not (target.is_file() and target.read_bytes() == data):
            atomic_write(target, data)
    atomic_write(folder / INDEX, page.encode("utf-8"))
    for stale in folder.iterdir():
        if MEDIA_NAME.fullmatch(stale.name) and stale.name not in wanted and stale.is_file():
            stale.unlink()
    return PreviewResult(folder / INDEX, cards)
