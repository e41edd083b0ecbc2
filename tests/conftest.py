"""Shared fixtures: copies of content folders, built packages, Anki collections."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from playwright.sync_api import Browser, sync_playwright

from generator import pipeline
from generator.ids import write_missing_keys
from tests.anki_support import imported_collection

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# A Chromium the system provides (Playwright never downloads a browser here): CHROMIUM names it, else the
# usual names on PATH are tried.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM = os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, BROWSER_NAMES)), "")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The system Chromium for the browser tests: skipped without one, except on CI, where it fails."""
    if not CHROMIUM:
        advice = "install Chromium (`make browser` does it with apt) or set CHROMIUM to its path"
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Chromium found for the browser tests: {advice}")
        pytest.skip(f"no Chromium found: {advice}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             timeout=30_000)
        yield browser
        browser.close()
