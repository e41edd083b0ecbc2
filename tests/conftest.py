"""Shared fixtures: copies of content folders, built packages, Anki collections."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection

from generator import pipeline
from generator.ids import write_missing_keys
from tests.anki_support import imported_collection

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_content(source: Path, target: Path) -> Path:
    """A writable copy (builds update the lock file beside the content), with keys filled in."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock"))
    write_missing_keys(target)
    return target


@pytest.fixture
def golden_content(tmp_path: Path) -> Path:
    return copy_content(FIXTURES / "golden" / "content", tmp_path / "content")


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pipeline.BuildResult]:
    """The default content built once per test session (with its committed lock, if any)."""
    folder = tmp_path_factory.mktemp("default")
    content = folder / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    write_missing_keys(content)
    yield pipeline.build(content, folder / "build" / "deck.apkg", now=1_800_000_000)


@pytest.fixture(scope="session")
def default_collection(default_build: pipeline.BuildResult, tmp_path_factory: pytest.TempPathFactory
                       ) -> Iterator[Collection]:
    """The default deck imported once into a fresh Anki collection; tests only read it."""
    with imported_collection(default_build.output, tmp_path_factory.mktemp("anki")) as (collection, counts):
        assert counts.new == default_build.notes + len(default_build.compiled.withdrawn)
        assert counts.conflicting == 0
        yield collection


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A content folder and the folder of its first successful build."""
    content = Path(shutil.copytree(FIXTURES / "valid_minimal", tmp_path / "content"))
    out = tmp_path / "build"
    pipeline.build(content, out / "deck.apkg", now=1_800_000_000)
    return content, out


def snapshot(*folders: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below the folders with its bytes and modification time, except the build cache
    (which keeps the files a failed build compiled: the build after the fix needs them)."""
    return {str(path): (path.read_bytes(), path.stat().st_mtime_ns)
            for folder in folders for path in sorted(folder.rglob("*"))
            if path.is_file() and ".cache" not in path.relative_to(folder).parts}
