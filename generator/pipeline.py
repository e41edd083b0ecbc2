"""The stages in order: read -> compile each file (parse, check, render) -> check across files -> plan the
release against the lock -> package -> write. Nothing else."""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path

from generator.anki.curriculum import Curriculum, plan_curriculum
from generator.anki.description import deck_description
from generator.anki.package import PackageContent, Times, collection_file, write_package
from generator.anki.render import CardNote, RenderedDeck, Renderer, assemble_deck, parent_deck
from generator.cache import BuildCache
from generator.errors import ContentError, Diagnostic, UsageError
from generator.files import StagedFile, display_name, ensure_replaceable
from generator.model import Content
from generator.progress import NO_PROGRESS, Progress
from generator.release.hazards import hazards, older_than_package
from generator.release.identity import duplicate_texts, identity_problems
from generator.release.lock import Lock, lock_path, lock_text, read_lock
from generator.release.notes import release_notes
from generator.release.plan import plan_release
from generator.release.withdrawn import withdrawn_notes
from generator.rules.notes import validate
from generator.source.deckfile import parse_deck_file
from generator.source.media import MediaSet, collect_media, merge_media
from generator.source.reading import read_sources
from generator.truthfile import compile_truth_files, rendered_truths

DEFAULT_PREVIEW_DIR = Path("build") / "preview"


@dataclass(frozen=True)
class Release:
    """Everything a build writes but the package itself."""

    content: Content
    deck: RenderedDeck
    media: MediaSet
    lock: Lock
    description: str  # the deck description in the package (HTML)
    warnings: tuple[Diagnostic, ...]
    new_release: bool  # False when nothing changed since the release recorded in the lock
    curriculum: Curriculum  # when each card is introduced (the onboarding plan, if the deck has one)
    withdrawn: tuple[CardNote, ...]  # the retired notes, shipped once more as withdrawn

    @cached_property
    def release_notes(self) -> str:
        """CHANGES.md."""
        return release_notes(self.deck, self.lock)

    @property
    def times(self) -> Times:
        lock = self.lock
        mods = {k: n.mod for k, n in lock.notes.items()} | {k: r.mod for k, r in lock.retired.items()}
        return Times(mods,
                     {k: t.mod for k, t in lock.note_types.items()}, lock.released)

    @property
    def package_content(self) -> PackageContent:
        return PackageContent(self.deck, self.times, self.description, self.curriculum, self.withdrawn)


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
    progress.stage("read")
    sources = read_sources(content_dir)
    diagnostics = list(sources.diagnostics)
    deck_file = parse_deck_file(sources.deck) if sources.deck else None
    info = deck_file.deck if deck_file else None
    files = compile_truth_files(sources.truths, info, cache, progress)
    progress.stage("check")
    diagnostics += deck_file.diagnostics if deck_file else ()
    diagnostics += (d for file in files for d in file.diagnostics)
    if info is None:
        raise ContentError(diagnostics)
    by_number = sorted(((f.parsed.truth, f) for f in files if f.parsed.truth), key=lambda p: p[0].number)
    content = Content(info, tuple(truth for truth, _ in by_number))
    ordered = [file for _, file in by_number]
    diagnostics += validate(content, complete=len(content.truths) == len(files))
    deck_media = collect_media([(info.location, info.description)], content_dir)
    diagnostics += deck_media.diagnostics
    if _failed(diagnostics, strict) or not all(f.renderable for f in ordered):
        raise ContentError(diagnostics)
    progress.stage("render")
    media = merge_media([deck_media, *(f.media for f in ordered)])
    rendered = rendered_truths(ordered, info, content)
    deck = assemble_deck(info, parent_deck(Renderer(media), info), rendered)
    lock_file = lock_path(content_dir)
    old = read_lock(lock_file, diagnostics)
    identity = identity_problems(deck, old)
    if identity:  # hazards would compare a copy with the original's record
        raise ContentError([*diagnostics, *identity])
    diagnostics += hazards(deck, old, display_name(lock_file))
    diagnostics += duplicate_texts(deck)
    if _failed(diagnostics, strict):
        raise ContentError(diagnostics)
    return Checked(content, media, deck, old, tuple(diagnostics))


def plan(content_dir: Path, strict: bool = False, now: int | None = None, cache: BuildCache | None = None,
         progress: Progress = NO_PROGRESS) -> Release:
    """Check and render the content and plan its release against the lock; raises ContentError."""
    checked = check_content(content_dir, strict, cache, progress)
    deck, old = checked.deck, checked.old_lock
    curriculum = plan_curriculum(deck, checked.content.deck.plan)
    preset = curriculum.preset_id if curriculum.preset else 0
    lock = plan_release(deck, old, build_time() if now is None else now, preset)
    description = deck_description(checked.content.deck, deck, lock, curriculum)
    return Release(checked.content, deck, checked.media, lock, description, checked.warnings,
                   new_release=old is None or lock.release != old.release, curriculum=curriculum,
                   withdrawn=withdrawn_notes(deck, lock))


def compile_content(content_dir: Path, strict: bool = False, now: int | None = None,
                    cache: BuildCache | None = None, progress: Progress = NO_PROGRESS) -> Compiled:
    """Compile without writing anything; raises ContentError with every problem found."""
    release = plan(content_dir, strict, now, cache, progress)
    progress.stage("package")
    package = package_bytes(release)
    return Compiled(**{f.name: getattr(release, f.name) for f in fields(Release)}, package=package)


def package_bytes(release: Release) -> bytes:
    """The whole .apkg in memory: the same release gives the same bytes."""
    buffer = io.BytesIO()
    with collection_file(release.package_content) as collection:
        write_package(buffer, collection, release.media.files, release.lock.released)
    return buffer.getvalue()


def build(content_dir: Path, output: Path | None = None, strict: bool = False,
          now: int | None = None, cache: bool = False, progress: Progress = NO_PROGRESS) -> BuildResult:
    """Compile, then write the package, the release notes and the lock; on failure none of them changes.

    With `cache`, each compiled truth file is kept in .cache beside the package for the next build.
    """
    build_cache = BuildCache.open(cache_dir(output), content_dir) if cache else None
    release = plan(content_dir, strict, now, build_cache, progress)
    output = output or Path("build") / f"{release.deck.key}.apkg"
    changes = output.parent / "CHANGES.md"
    targets = [output, changes, lock_path(content_dir)]
    for target in targets:  # before anything is written
        ensure_replaceable(target)
    if problems := older_than_package(release.lock, output, display_name(lock_path(content_dir))):
        raise ContentError([*release.warnings, *problems])
    progress.stage("package")
    if build_cache:
        build_cache.prune()  # before the outputs: after them, the build is done
    write_outputs(release, targets)
    return BuildResult(output, changes, release)


def write_outputs(release: Release, paths: list[Path]) -> None:
    """The package, the release notes and the lock, each complete beside its path before the first
    one replaces the old file (then in this order)."""
    staged: list[StagedFile] = []
    try:
        for path in paths:
            staged.append(StagedFile(path))
        package, notes, lock = staged
        with collection_file(release.package_content) as collection:
            package.write_with(lambda stream: write_package(stream, collection, release.media.files,
                                                            release.lock.released))
        notes.write(release.release_notes.encode())
        lock.write(chunk.encode() for chunk in lock_text(release.lock))
        for file in staged:
            file.commit()
    except BaseException:
        for file in staged:
            file.discard()
        raise


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
