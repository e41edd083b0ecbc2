"""Rebuild the deck and the preview whenever content is saved; problems are reported, never fatal.

A watch rebuild writes the package and the preview but not the lock or CHANGES.md: an editing
session must not turn every save into a release. `build` cuts the release. Like `build`, it takes
unchanged files from the build cache, so a save compiles only the file saved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from generator.cache import BuildCache
from generator.errors import ContentError, Diagnostic, GeneratorError, UsageError
from generator.files import atomic_write
from generator.pipeline import DEFAULT_PREVIEW_DIR, cache_dir, compile_content
from generator.preview.site import write_preview
from generator.release.lock import LOCK_FILE
from generator.rules.images import IMAGE_TYPES

WATCHED_SUFFIXES = frozenset({".md", *IMAGE_TYPES})
STEP_MS = 50  # a save is picked up once nothing changed for one step: editors write in bursts
DEBOUNCE_MS = 400  # however busy the folder, rebuild at least this often
IDLE_MS = 250  # how often the loop wakes without changes; also the delay before the first build


@dataclass(frozen=True)
class Rebuild:
    """One rebuild: what triggered it, how long it took, and what was written or why not."""

    changed: tuple[Path, ...]  # empty for the first build
    seconds: float
    package: Path | None  # None if the build failed: the last good output is left as it was
    preview: Path | None
    cards: int
    diagnostics: tuple[Diagnostic, ...]  # the warnings of a good build, every problem of a failed one
    problem: str = ""  # a usage or file system error, which has no diagnostics

    @property
    def ok(self) -> bool:
        return self.package is not None


class ContentFilter(watchfiles.DefaultFilter):
    """Content and image files only; never our own output or temporary files (atomic writes)."""

    def __init__(self, ignore: Iterable[Path] = ()) -> None:
        super().__init__(ignore_paths=[str(path.resolve()) for path in ignore])

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        file = Path(path)
        wanted = file.suffix.lower() in WATCHED_SUFFIXES or file.name == LOCK_FILE
        return wanted and not file.name.startswith(".") and bool(super().__call__(change, path))


def rebuild(content_dir: Path, output: Path | None = None, preview_dir: Path | None = None,
            changed: tuple[Path, ...] = ()) -> Rebuild:
    """Compile, then write the package and the preview; failures are returned, not raised."""
    start = time.perf_counter()
    try:
        cache = BuildCache.open(cache_dir(output), content_dir)
        compiled = compile_content(content_dir, cache=cache)
        package = output or Path("build") / f"{compiled.deck.key}.apkg"
        if package.is_dir():
            raise UsageError(f"output is a folder, expected a file name: {package}")
        preview = write_preview(compiled, preview_dir)
        atomic_write(package, compiled.package)
        cache.prune()  # the entries of earlier saves: replaced by this one
    except ContentError as failure:
        return Rebuild(changed, time.perf_counter() - start, None, None, 0, failure.diagnostics)
    except (GeneratorError, OSError) as failure:
        return Rebuild(changed, time.perf_counter() - start, None, None, 0, (), str(failure))
    return Rebuild(changed, time.perf_counter() - start, package, preview.index, len(preview.cards),
                   compiled.warnings)


def watch(content_dir: Path, on_rebuild: Callable[[Rebuild], None], output: Path | None = None,
          preview_dir: Path | None = None, stop: threading.Event | None = None,
          limit: int | None = None) -> int:
    """Build once, then after every change until `stop` is set or `limit` rebuilds; returns the rebuilds.

    The first build runs only once the watcher is running, so nothing saved meanwhile is missed.
    """
    if not content_dir.is_dir():
        raise UsageError(f"content folder not found: {content_dir}")
    ignore = [output or Path("build"), preview_dir or DEFAULT_PREVIEW_DIR]
    started, rebuilds = False, 0
    for changes in watchfiles.watch(content_dir, watch_filter=ContentFilter(ignore), stop_event=stop,
                                    debounce=DEBOUNCE_MS, step=STEP_MS, rust_timeout=IDLE_MS,
                                    yield_on_timeout=True):
        if not started:
            started = True
            on_rebuild(rebuild(content_dir, output, preview_dir))
        elif changes:
            rebuilds += 1
            changed = tuple(sorted({Path(path) for _, path in changes}))
            on_rebuild(rebuild(content_dir, output, preview_dir, changed))
            if limit is not None and rebuilds >= limit:
                break
    return rebuilds
