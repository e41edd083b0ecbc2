"""The stages in order: read -> compile each file (parse, check, render) -> check across files -> assemble
-> plan release -> package. Nothing else."""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import cached_property, partial
from pathlib import Path

from generator.cache import BuildCache
from generator.description import deck_description
from generator.errors import ContentError, Diagnostic, UsageError
from generator.frontmatter import remember
from generator.lock import Lock, lock_path, lock_text, read_lock
from generator.media import MediaSet, collect_media, merge_media
from generator.model import Content
from generator.package import StagedFile, package_bytes, scratch_collection, zip_package
from generator.parse import parse_deck_file
from generator.progress import NO_PROGRESS, Progress
from generator.release import hazards, plan_release, release_notes
from generator.render import RenderedDeck, Renderer, assemble_deck, parent_deck, render_truth
from generator.sources import display_name, read_sources
from generator.truthfile import TruthFile
from generator.validate import validate
from generator.workers import compile_truth_files, start_in_child

DEFAULT_PREVIEW_DIR = Path("build") / "preview"  # here, not in generator.preview: the CLI shows it cheaply
TEXTS_IN_CHILD_NOTES = 3_000  # below this, forking costs more than writing alongside saves


@dataclass(frozen=True)
class Release:
    """Everything a build writes but the package itself (the release notes made when first asked for)."""

    content: Content
    deck: RenderedDeck
    media: MediaSet
    lock: Lock
    description: str  # the deck description in the package (HTML)
    warnings: tuple[Diagnostic, ...]
    new_release: bool  # False when nothing changed since the release recorded in the lock

    @cached_property
    def release_notes(self) -> str:
        """CHANGES.md; made when first asked for (while a child writes the lock of a large deck)."""
        return release_notes(self.deck, self.lock)


@dataclass(frozen=True)
class Compiled(Release):
    """A release with its package, in memory."""

    package: bytes


@dataclass(frozen=True)
class BuildResult:
    output: Path
    changes: Path
    compiled: Release

    @property
    def notes(self) -> int:
        return len(self.compiled.deck.notes)


@dataclass(frozen=True)
class Loaded:
    """A content folder read, each file compiled, and the rules across files checked."""

    content: Content | None  # None if the deck file is missing or broken
    media: MediaSet
    truths: tuple[TruthFile, ...]  # in the content's order: by truth number
    diagnostics: tuple[Diagnostic, ...]


def load(content_dir: Path, cache: BuildCache | None = None, progress: Progress = NO_PROGRESS) -> Loaded:
    """Read and compile a content folder; all problems are collected, none raised.

    Unchanged files come from `cache` if given; many files are compiled on all cores.
    """
    progress.stage("read")
    sources = read_sources(content_dir)
    diagnostics = list(sources.diagnostics)
    known = cache.front_matter() if cache else {}
    remember(known)
    deck_file = parse_deck_file(sources.deck) if sources.deck else None
    deck = deck_file.deck if deck_file else None
    files = compile_truth_files(sources.truths, deck, cache, progress)
    if cache:  # for the next build: what it would parse of these files' front matter (often all of it)
        parsed = dict(p.front_matter for p in (deck_file, *(f.parsed for f in files)) if p and p.front_matter)
        if parsed != known:
            cache.keep_front_matter(parsed)
    progress.stage("check")
    if deck_file:
        diagnostics.extend(deck_file.diagnostics)
    for file in files:
        diagnostics.extend(file.diagnostics)
    if deck is None:
        return Loaded(None, MediaSet({}), (), tuple(diagnostics))
    by_number = sorted(((f.parsed.truth, f) for f in files if f.parsed.truth), key=lambda p: p[0].number)
    content = Content(deck, tuple(truth for truth, _ in by_number))
    ordered = tuple(file for _, file in by_number)
    diagnostics.extend(validate(content))
    deck_media = collect_media([(deck.location, deck.description)], content_dir)
    media = merge_media([deck_media, *(f.media for f in ordered)])
    diagnostics.extend(deck_media.diagnostics)
    return Loaded(content, media, ordered, tuple(diagnostics))


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
    """Read, compile, check and render, and compare with the lock; raises ContentError with every problem."""
    loaded = load(content_dir, cache, progress)
    content, media, diagnostics = loaded.content, loaded.media, list(loaded.diagnostics)
    if content is None or _failed(diagnostics, strict):
        raise ContentError(diagnostics)
    progress.stage("render")
    renderer = Renderer(media)
    # Every file without errors was rendered where it was compiled; the fallback is for safety only.
    rendered = [file.rendered or render_truth(renderer, content.deck, truth)
                for truth, file in zip(content.truths, loaded.truths, strict=True)]
    deck = assemble_deck(content.deck, parent_deck(renderer, content.deck), rendered)
    lock_file = lock_path(content_dir)
    old = read_lock(lock_file, diagnostics, cache.known_lock if cache else None)
    diagnostics.extend(hazards(deck, old, display_name(lock_file)))
    if _failed(diagnostics, strict):
        raise ContentError(diagnostics)
    return Checked(content, media, deck, old, tuple(diagnostics))


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while compiling: a build's objects hold no cycles and nearly
    all live until it ends, yet the collector would walk them again and again (measured: 60-80 ms of
    a 10,000-note build).

    Afterwards they are frozen (left out of collections): else the first collection would walk every
    object the build made (measured: 33 ms at 10,000 notes, and again when the process exits). They
    are freed by reference counting as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def compile_content(content_dir: Path, strict: bool = False, now: int | None = None,
                    cache: BuildCache | None = None, progress: Progress = NO_PROGRESS) -> Compiled:
    """Compile without writing anything; raises ContentError with every problem found."""
    with collector_paused():
        release = plan(content_dir, strict, now, cache, progress)
        progress.stage("package")
        package = package_bytes(release.deck, release.lock, release.media.files, release.description)
        return Compiled(**{f.name: getattr(release, f.name) for f in fields(Release)}, package=package)


def plan(content_dir: Path, strict: bool = False, now: int | None = None, cache: BuildCache | None = None,
         progress: Progress = NO_PROGRESS) -> Release:
    """Check and render the content and plan its release against the lock; raises ContentError."""
    checked = check_content(content_dir, strict, cache, progress)
    deck, old = checked.deck, checked.old_lock
    lock = plan_release(deck, old, build_time() if now is None else now)
    description = deck_description(checked.content.deck, deck, lock.release)
    return Release(checked.content, deck, checked.media, lock, description, checked.warnings,
                   new_release=old is None or lock.release != old.release)


def build(content_dir: Path, output: Path | None = None, strict: bool = False,
          now: int | None = None, cache: bool = False, progress: Progress = NO_PROGRESS) -> BuildResult:
    """Compile, then write the package, the release notes and the lock; on failure none of them changes.

    With `cache`, each compiled truth file is kept in .cache beside the package for the next build.
    """
    build_cache = BuildCache.open(cache_dir(output), content_dir) if cache else None
    with collector_paused():
        release = plan(content_dir, strict, now, build_cache, progress)
        output = output or Path("build") / f"{release.deck.key}.apkg"
        if output.is_dir():
            raise UsageError(f"output is a folder, expected a file name: {output}")
        changes = output.parent / "CHANGES.md"
        progress.stage("package")
        write_outputs(release, [output, changes, lock_path(content_dir)], build_cache)
    if build_cache:
        build_cache.prune()
    return BuildResult(output, changes, release)


def write_outputs(release: Release, paths: list[Path], cache: BuildCache | None = None) -> None:
    """The package, the release notes and the lock, each complete beside its path before the first
    one replaces the old file (then in this order).

    For a large deck, a forked child writes the lock while this process compresses the package and
    writes the release notes. It is forked once the database is written: this process then touches
    few objects, the child only the lock's, so little memory is copied for it (forked earlier, while
    this process walks every note for the database, the two held most pages twice: measured 1.65
    times the floor's memory at 10,000 notes). If the child fails, this process writes the lock.
    The lock is also kept in `cache` for the next build; this process prepares that entry while the
    child writes.
    """
    package, notes, lock = staged = [StagedFile(path) for path in paths]

    def write_lock() -> bytes:
        """Writes the lock; returns the SHA-256 of its bytes (what the cache keeps it under)."""
        digest = hashlib.sha256()
        lock.write(_hashed((chunk.encode() for chunk in lock_text(release.lock)), digest))
        return digest.digest()

    child = None
    try:
        with scratch_collection(release.deck, release.lock, release.description) as database:
            child = start_in_child(write_lock) if len(release.deck.notes) >= TEXTS_IN_CHILD_NOTES else None
            package.write_with(partial(zip_package, database=database, media=release.media.files,
                                       timestamp=release.lock.released))
        notes.write(release.release_notes.encode())
        kept = cache.lock_entry(release.lock) if cache else b""
        digest = child.result if child is not None and child.succeeded() else b""
        child = None
        if not digest:
            digest = write_lock()  # here: also where a child's failure shows its error
        if cache:
            cache.keep_lock(digest, kept)
        for file in staged:
            file.commit()
    except BaseException:
        if child is not None:
            child.succeeded()  # never leave the child behind
        for file in staged:
            file.discard()
        raise


def _hashed(chunks: Iterator[bytes], digest: hashlib._Hash) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


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
