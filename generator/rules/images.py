"""Images in content: which references can go into a package (inside the content folder, inert files)."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
MAX_MEDIA_BYTES = 5_000_000
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
# SVG can carry scripts; cards show images with <img> (no scripts), but the files must be inert too.
ACTIVE_SVG = re.compile(
    rb"<\s*script|<\s*foreignObject|\son\w+\s*=|javascript:|href\s*=\s*[\"']?\s*(?![\"'\s#]|data:image/)",
    re.IGNORECASE)
IMAGE_HINT = "put the image into the content folder and link it relatively, e.g. ![Bild](bilder/bild.png)"


def image_problem(reference: str, root: Path) -> str:
    """Why the image `reference` (a parsed src) cannot go into the package, or "" if it can."""
    shown = unquote(reference)
    relative = PurePosixPath(shown)
    if SCHEME.match(shown):
        return f"image `{shown}` is not a file in the content folder"
    if "\\" in shown:
        return f"image path `{shown}` must use `/` between folder names, not `\\`"
    if relative.is_absolute() or ".." in relative.parts:
        return f"image path `{shown}` must be relative and stay inside the content folder"
    if relative.suffix.lower() not in IMAGE_TYPES:
        return f"`{shown}` is not a supported image ({', '.join(sorted(IMAGE_TYPES))})"
    try:
        path = (root / relative).resolve()
        if not path.is_relative_to(root):
            return f"image `{shown}` is a link to a file outside the content folder"
        if not path.is_file():
            return f"image `{shown}` not found in the content folder"
        if path.stat().st_size > MAX_MEDIA_BYTES:
            return f"image `{shown}` is larger than {MAX_MEDIA_BYTES:,} bytes"
        if relative.suffix.lower() == ".svg" and ACTIVE_SVG.search(path.read_bytes()):
            return f"SVG image `{shown}` contains scripts, event handlers or links"
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
        return f"image `{shown}` cannot be read ({getattr(exc, 'strerror', None) or exc})"
    return ""
