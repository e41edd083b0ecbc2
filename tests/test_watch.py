"""Watch mode with real file changes: rebuilds on save, reports problems, keeps the last good output."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from watchfiles import Change

from generator.ids import write_missing_keys
from generator.watch import ContentFilter, Rebuild, rebuild, watch

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = ROOT / "content"
WAIT = 10.0  # seconds; generous for a loaded machine. The half-second promise is measured by `make bench`.


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, target, ignore=shutil.ignore_patterns("*.lock"))
    write_missing_keys(target)
    return target


class Watcher:
    """watch() in a thread, its rebuilds in a queue; always stopped at the end of a test."""

    def __init__(self, content: Path, out: Path) -> None:
        self.package, self.preview = out / "deck.apkg", out / "preview"
        self.rebuilds: queue.Queue[tuple[float, Rebuild]] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=watch, daemon=True, kwargs=dict(
            content_dir=content, on_rebuild=lambda r: self.rebuilds.put((time.monotonic(), r)),
            output=self.package, preview_dir=self.preview, stop=self.stop))

    def next(self) -> tuple[float, Rebuild]:
        return self.rebuilds.get(timeout=WAIT)


@pytest.fixture
def watcher(content: Path, tmp_path: Path) -> Iterator[Watcher]:
    running = Watcher(content, tmp_path / "out")
    running.thread.start()
    yield running
    running.stop.set()
    running.thread.join(timeout=WAIT)
    assert not running.thread.is_alive()


def truth_file(content: Path) -> Path:
    return sorted(content.glob("[0-9]*.md"))[0]


def edit(path: Path, old: str, new: str) -> float:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return time.monotonic()


def test_a_save_rebuilds_deck_and_preview(watcher: Watcher, content: Path) -> None:
    _, first = watcher.next()
    assert first.ok and first.changed == () and first.cards > 0
    saved = edit(truth_file(content), "## Kernaussage\n\n", "## Kernaussage\n\nFrisch gespeichert: ")
    done, second = watcher.next()
    assert second.ok and second.changed == (truth_file(content).resolve(),)
    assert "Frisch gespeichert:" in watcher.preview.joinpath("index.html").read_text(encoding="utf-8")
    assert done > saved and second.seconds > 0


def test_problems_are_reported_and_the_last_good_output_is_kept(watcher: Watcher, content: Path) -> None:
    assert watcher.next()[1].ok
    page, package = watcher.preview / "index.html", watcher.package
    good = (page.read_bytes(), package.read_bytes())
    edit(truth_file(content), "## Kernaussage", "## Kernsatz")
    _, broken = watcher.next()
    assert not broken.ok and broken.package is None
    messages = [d.format() for d in broken.diagnostics if d.is_error]
    assert any(re.match(rf".*{truth_file(content).name}:\d+: error: ", m) for m in messages), messages
    assert (page.read_bytes(), package.read_bytes()) == good
    edit(truth_file(content), "## Kernsatz", "## Kernaussage")
    assert watcher.next()[1].ok


def test_watch_stops_after_a_limit_of_rebuilds(content: Path, tmp_path: Path) -> None:
    seen: list[Rebuild] = []

    def on_rebuild(result: Rebuild) -> None:
        seen.append(result)
        if len(seen) == 1:
            (content / "deck.md").touch()

    stop = threading.Event()
    bound = threading.Timer(WAIT, stop.set)  # should the change never be seen
    bound.start()
    count = watch(content, on_rebuild, tmp_path / "deck.apkg", tmp_path / "site", stop=stop, limit=1)
    bound.cancel()
    assert count == 1 and len(seen) == 2


def test_only_content_files_trigger_a_rebuild(tmp_path: Path) -> None:
    accepts = ContentFilter([tmp_path / "build"])
    for name in ("content/03-nutzen.md", "content/bilder/a.PNG", "content/deck.lock"):
        assert accepts(Change.modified, str(tmp_path / name)), name
    for name in ("content/.deck.lock.x1.tmp", "content/03.md.swp", "content/notes.txt",
                 "build/preview/index.html", "build/deck.apkg"):
        assert not accepts(Change.modified, str(tmp_path / name)), name


def test_a_save_compiles_only_the_saved_file(tmp_path: Path, content: Path) -> None:
    """Each compiled file is kept in the cache: a save writes one new entry and leaves the others alone."""
    first = rebuild(content, tmp_path / "deck.apkg", tmp_path / "site")
    entries = {path: path.stat().st_mtime_ns for path in (tmp_path / ".cache").glob("*/*.pickle")}
    saved = truth_file(content)
    edit(saved, "Kunde", "Kundin")
    second = rebuild(content, tmp_path / "deck.apkg", tmp_path / "site", (saved,))
    after = {path: path.stat().st_mtime_ns for path in (tmp_path / ".cache").glob("*/*.pickle")}
    assert first.ok and second.ok
    assert len(entries) == len(after) == len(list(content.glob("[0-9]*.md")))
    assert len(set(after) - set(entries)) == 1  # the saved file's new entry; its old one was removed
    assert all(after[path] == mtime for path, mtime in entries.items() if path in after)


def test_a_rebuild_never_raises(tmp_path: Path, content: Path) -> None:
    (tmp_path / "folder.apkg").mkdir()
    failed = rebuild(content, tmp_path / "folder.apkg", tmp_path / "site")
    assert not failed.ok and "folder" in failed.problem


def pump(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    for line in process.stdout or ():
        lines.put(line)


def test_the_command_prints_problems_and_keeps_watching(content: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "generator", "watch", str(content), "-o", str(tmp_path / "d.apkg"),
               "--preview-dir", str(tmp_path / "site")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=tmp_path)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=pump, args=(process, lines), daemon=True).start()

    def wait_for(pattern: str) -> None:
        deadline = time.monotonic() + WAIT
        try:
            while not re.search(pattern, lines.get(timeout=max(deadline - time.monotonic(), 0.01))):
                pass
        except queue.Empty:
            raise AssertionError(f"no output line matching {pattern!r} within {WAIT} s") from None

    try:
        wait_for(r"rebuilt .* \(\d+ cards\)")
        edit(truth_file(content), "## Kernaussage", "## Kernsatz")
        wait_for(rf"{truth_file(content).name}:\d+: error: ")
        wait_for(r"build failed .*kept the last good output")
        edit(truth_file(content), "## Kernsatz", "## Kernaussage")
        wait_for(r"rebuilt .* after changes to .*" + re.escape(truth_file(content).name))
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=WAIT) == 0
    finally:
        process.kill()
