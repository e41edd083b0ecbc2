"""The stages in order: read -> parse -> validate -> render -> plan release -> package. Nothing else."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from generator.cache import BuildCache
from generator.description import deck_description
from generator.errors import ContentError, Diagnostic, UsageError
from generator.lock import Lock, lock_path, lock_text, read_lock
from generator.media import MediaSet, collect_media
from generator.model import Content, Truth
from generator.package import atomic_write, package_bytes
from generator.parse import parse_deck_file
from generator.progress import NO_PROGRESS, Progress
from generator.release import hazards, plan_release, release_notes
from generator.render import RenderedDeck, render_deck
from generator.sources import display_name, read_sources
from generator.validate import validate
from generator.workers import parse_truth_files

DEFAULT_PREVIEW_DIR = Path("build") / "preview"  # here, not in generator.preview: the CLI shows it cheaply


@dataclass(frozen=True)
class Compiled:
    """Everything a build would write, computed before anything is written."""

    content: Content
    deck: RenderedDeck
    media: MediaSet
    lock: Lock
    package: bytes
    release_notes: str
    warnings: tuple[Diagnostic, ...]
    new_release: bool  # False when nothing changed since the release recorded in the lock


@dataclass(frozen=True)
class BuildResult:
    output: Path
    changes: Path
    compiled: Compiled

    @property
    def notes(self) -> int:
        return len(self.compiled.deck.notes)


def load(content_dir: Path, cache: BuildCache | None = None, progress: Progress = NO_PROGRESS,
         ) -> tuple[Content | None, MediaSet | None, list[Diagnostic]]:
    """Read, parse and validate a content folder; all problems are collected, none raised.

    Unchanged files come from `cache` if given; many files are parsed on all cores.
    """
    progress.stage("read")
    sources = read_sources(content_dir)
    diagnostics = list(sources.diagnostics)
    deck_file = parse_deck_file(sources.deck) if sources.deck else None
    truth_files = parse_truth_files(sources.truths, cache, progress)
    progress.stage("check")
    for parsed in ([deck_file] if deck_file else []) + truth_files:
        diagnostics.extend(parsed.diagnostics)
    if deck_file is None or deck_file.deck is None:
        return None, None, diagnostics
    truths: list[Truth] = sorted((p.truth for p in truth_files if p.truth), key=lambda t: t.number)
    content = Content(deck_file.deck, tuple(truths))
    diagnostics.extend(validate(content))
    media = collect_media(content, content_dir)
    diagnostics.extend(media.diagnostics)
    return content, media, diagnostics


@dataclass(frozen=True)
class Checked:
    """Content that passed every check, rendered, with the lock it is released against."""

    content: Content
    media: MediaSet
    deck: RenderedDeck
    old_lock: Lock | None
    warnings: tuple[Diagnostic, ...]


def check_content(content_dir: Path, strict: bool = False, cache: BuildCache | None = None,
                  progress: Progress = NO_PROGRESS) -> Checked:
    """Read, parse, validate, render and compare with the lock; raises ContentError with every problem."""
    content, media, diagnostics = load(content_dir, cache, progress)
    if content is None or media is None or _failed(diagnostics, strict):
        raise ContentError(diagnostics)
    progress.stage("render")
    deck = render_deck(content, media, cache.truth_renderer() if cache else None)
    lock_file = lock_path(content_dir)
    old = read_lock(lock_file, diagnostics)
    diagnostics.extend(hazards(deck, old, display_name(lock_file)))
    if _failed(diagnostics, strict):
        raise ContentError(diagnostics)
    return Checked(content, media, deck, old, tuple(diagnostics))


def compile_content(content_dir: Path, strict: bool = False, now: int | None = None,
                    cache: BuildCache | None = None, progress: Progress = NO_PROGRESS) -> Compiled:
    """Compile without writing anything; raises ContentError with every problem found."""
    checked = check_content(content_dir, strict, cache, progress)
    deck, old = checked.deck, checked.old_lock
    lock = plan_release(deck, old, build_time() if now is None else now)
    description = deck_description(checked.content.deck, deck, lock.release)
    progress.stage("package")
    package = package_bytes(deck, lock, checked.media.files, description)
    return Compiled(checked.content, deck, checked.media, lock, package, release_notes(deck, lock),
                    checked.warnings, new_release=old is None or lock.release != old.release)


def build(content_dir: Path, output: Path | None = None, strict: bool = False,
          now: int | None = None, cache: bool = False, progress: Progress = NO_PROGRESS) -> BuildResult:
    """Compile, then write the package, the release notes and the lock; nothing is written on failure.

    With `cache`, parsed and rendered truths are kept in .cache beside the package for the next build.
    """
    build_cache = BuildCache.open(cache_dir(output), content_dir) if cache else None
    compiled = compile_content(content_dir, strict, now, build_cache, progress)
    output = output or Path("build") / f"{compiled.deck.key}.apkg"
    if output.is_dir():
        raise UsageError(f"output is a folder, expected a file name: {output}")
    changes = output.parent / "CHANGES.md"
    progress.stage("write")
    atomic_write(output, compiled.package)
    atomic_write(changes, compiled.release_notes.encode())
    atomic_write(lock_path(content_dir), (chunk.encode() for chunk in lock_text(compiled.lock)))
    if build_cache:
        build_cache.save()
    return BuildResult(output, changes, compiled)


def cache_dir(output: Path | None) -> Path:
    """Where a build keeps its cache: .cache in the package's folder (by default build/.cache)."""
    return (output.parent if output else Path("build")) / ".cache"


def check(content_dir: Path, strict: bool = False) -> list[Diagnostic]:
    """Every problem a build would report (including release hazards), without writing anything."""
    try:
        return list(check_content(content_dir, strict).warnings)  # no release planned, no package made
    except ContentError as failure:
        return list(failure.diagnostics)


def build_time() -> int:
    """SOURCE_DATE_EPOCH if set (reproducible builds), otherwise the clock; used only for changed notes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}")
        return int(epoch)
    return int(time.time())


def _failed(diagnostics: list[Diagnostic], strict: bool) -> bool:
    return any(d.is_error or strict for d in diagnostics)
