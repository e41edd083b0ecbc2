"""Rebuilds from the build cache never change a byte of output.

Also the cache's invalidation (edited file, changed image, changed code, damaged entry) and
the progress bar, which is wired into the same pipeline stages.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import cache, pipeline
from generator.cache import BuildCache
from generator.cli import main
from generator.errors import ContentError
from generator.progress import NO_PROGRESS, TerminalBar, terminal_progress

NOW = 1_800_000_000
LATER = NOW + 3600
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
                    "9c6360000002000154a24f5d0000000049454e44ae426082")


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("deck.apkg", "CHANGES.md")}


def edit(content: Path) -> None:
    """A real edit of one file: a phrasing's reason gets new words."""
    path = content / "01-preis.md"
    text = path.read_text(encoding="utf-8")
    assert "Klar und ohne Rechtfertigung." in text
    edited = text.replace("Klar und ohne Rechtfertigung.", "Klar, freundlich und ohne Rechtfertigung.")
    path.write_text(edited, encoding="utf-8")


def misses(content: Path, cache_dir: Path) -> int:
    """How many truth files a check would compile instead of taking them from the cache: each one
    compiled is kept as a new or rewritten entry."""
    def entries() -> dict[Path, int]:
        return {path: path.stat().st_mtime_ns for path in cache_dir.rglob("*.pickle")}

    before = entries()
    with contextlib.suppress(ContentError):
        pipeline.check_content(content, cache=BuildCache.open(cache_dir, content))
    return sum(before.get(path) != mtime for path, mtime in entries().items())


def test_incremental_build_gives_the_same_bytes_as_a_full_build(golden_content: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    pipeline.build(golden_content, build / "deck.apkg", now=NOW, cache=True)
    lock = (golden_content / "deck.lock").read_bytes()
    edit(golden_content)
    assert misses(golden_content, build / ".cache") == 1
    pipeline.build(golden_content, build / "deck.apkg", now=LATER, cache=True)
    incremental, incremental_lock = outputs(build), (golden_content / "deck.lock").read_bytes()
    (golden_content / "deck.lock").write_bytes(lock)
    pipeline.build(golden_content, tmp_path / "full" / "deck.apkg", now=LATER)
    assert outputs(tmp_path / "full") == incremental
    assert (golden_content / "deck.lock").read_bytes() == incremental_lock
    assert b"preis-sagen" in (build / "CHANGES.md").read_bytes()  # the edit did reach the package


def test_unchanged_content_is_not_parsed_again(golden_content: Path, tmp_path: Path) -> None:
    pipeline.build(golden_content, tmp_path / "deck.apkg", now=NOW, cache=True)
    assert misses(golden_content, tmp_path / ".cache") == 0


def test_after_a_failed_build_only_the_fixed_file_is_compiled(golden_content: Path, tmp_path: Path) -> None:
    path = golden_content / "02-fragen.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("## Kernaussage", "## Kernausage"), encoding="utf-8")
    with pytest.raises(ContentError):
        pipeline.build(golden_content, tmp_path / "deck.apkg", now=NOW, cache=True)
    assert not (tmp_path / "deck.apkg").exists()
    path.write_text(good, encoding="utf-8")
    assert misses(golden_content, tmp_path / ".cache") == 1


def test_a_removed_image_is_reported_although_the_file_was_cached(golden_content: Path,
                                                                  tmp_path: Path) -> None:
    path = golden_content / "02-fragen.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("erfährt alles Nötige von selbst.",
                                 "erfährt alles Nötige von selbst. ![Arzt](arzt.png)"), encoding="utf-8")
    (golden_content / "arzt.png").write_bytes(PNG)
    pipeline.build(golden_content, tmp_path / "deck.apkg", now=NOW, cache=True)
    (golden_content / "arzt.png").unlink()
    with pytest.raises(ContentError) as failure:
        pipeline.build(golden_content, tmp_path / "deck.apkg", now=NOW, cache=True)
    assert any("arzt.png" in d.message for d in failure.value.diagnostics)


def test_a_code_change_misses_every_entry(golden_content: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.build(golden_content, tmp_path / "deck.apkg", now=NOW, cache=True)
    code = tmp_path / "generator"
    shutil.copytree(cache.PACKAGE, code, ignore=shutil.ignore_patterns("__pycache__"))
    assert cache.code_fingerprint(code) == cache.loaded_code()
    (code / "pipeline.py").write_text((code / "pipeline.py").read_text() + "\n# changed\n")
    changed = cache.code_fingerprint(code)
    monkeypatch.setattr(cache, "loaded_code", lambda: changed)
    assert misses(golden_content, tmp_path / ".cache") == 2


def test_a_damaged_entry_is_parsed_again(golden_content: Path, tmp_path: Path) -> None:
    pipeline.build(golden_content, tmp_path / "first" / "deck.apkg", now=NOW, cache=True)
    entries = sorted((tmp_path / "first" / ".cache").rglob("*.pickle"))
    assert len(entries) == 2  # one per truth file
    for entry in entries[:1]:
        entry.write_bytes(b"not a pickle")
    (golden_content / "deck.lock").unlink()
    pipeline.build(golden_content, tmp_path / "first" / "deck.apkg", now=NOW, cache=True)
    (golden_content / "deck.lock").unlink()
    pipeline.build(golden_content, tmp_path / "second" / "deck.apkg", now=NOW)
    assert outputs(tmp_path / "first") == outputs(tmp_path / "second")


def test_entries_no_build_uses_are_removed(golden_content: Path, tmp_path: Path) -> None:
    pipeline.build(golden_content, tmp_path / "deck.apkg", now=NOW, cache=True)
    edit(golden_content)
    pipeline.build(golden_content, tmp_path / "deck.apkg", now=LATER, cache=True)
    assert len(list((tmp_path / ".cache").rglob("*.pickle"))) == 2


def test_cached_truths_move_when_an_earlier_truth_gains_a_note(golden_content: Path, tmp_path: Path) -> None:
    """Notes are due in deck order: the cached second truth must follow the grown first one."""
    pipeline.build(golden_content, tmp_path / "build" / "deck.apkg", now=NOW, cache=True)
    lock = (golden_content / "deck.lock").read_bytes()
    path = golden_content / "01-preis.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  <!-- key: preis-glaube -->\n", "  <!-- key: preis-glaube -->\n"
                                 "- Ein neuer Satz mit einer {{c1::Lücke}}.\n  <!-- key: preis-neu -->\n"),
                    encoding="utf-8")
    pipeline.build(golden_content, tmp_path / "build" / "deck.apkg", now=LATER, cache=True)
    (golden_content / "deck.lock").write_bytes(lock)
    pipeline.build(golden_content, tmp_path / "full" / "deck.apkg", now=LATER)
    assert outputs(tmp_path / "full") == outputs(tmp_path / "build")
    assert b"preis-neu" in (tmp_path / "full" / "CHANGES.md").read_bytes()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_waits_a_second_then_draws_and_is_erased_at_the_end() -> None:
    now = [0.0]
    terminal = FakeTerminal()
    with TerminalBar(terminal, clock=lambda: now[0]) as bar:
        bar.stage("files", 4)
        bar.advance()
        assert terminal.getvalue() == ""
        now[0] = 1.5
        bar.advance()
        assert "files" in terminal.getvalue() and "2/4" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r")
    assert terminal.getvalue().rsplit("\r", 2)[-2].strip() == ""


def test_no_bar_when_quiet_or_not_a_terminal() -> None:
    assert terminal_progress(io.StringIO()) is NO_PROGRESS
    assert terminal_progress(FakeTerminal(), quiet=True) is NO_PROGRESS
    assert isinstance(terminal_progress(FakeTerminal()), TerminalBar)


def test_build_quiet_prints_no_bar(golden_content: Path, tmp_path: Path) -> None:
    arguments = ["build", str(golden_content), "-o", str(tmp_path / "deck.apkg"), "--quiet"]
    result = CliRunner().invoke(main, arguments)
    assert (result.exit_code, result.stderr) == (0, "")
    assert (tmp_path / ".cache").is_dir()
