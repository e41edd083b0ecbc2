"""Outputs are files we own: nothing but a regular file (or nothing) is replaced, a stopped build leaves
no temporary file and every output as it was, and stale temporaries of killed builds are cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import pipeline
from generator.cache import BuildCache
from generator.cli import main
from tests.conftest import snapshot

NOW = 1_900_000_000


def build_cli(content: Path, output: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", str(content), "-o", output])
    return result.exit_code, result.stderr


def test_a_symbolic_link_as_output_is_refused(built: tuple[Path, Path], tmp_path: Path) -> None:
    content, out = built
    target = tmp_path / "elsewhere.apkg"
    target.write_bytes(b"keep me")
    (out / "link.apkg").symlink_to(target)
    code, err = build_cli(content, str(out / "link.apkg"))
    assert code == 2 and "it is a symbolic link" in err and "Traceback" not in err
    assert target.read_bytes() == b"keep me" and (out / "link.apkg").is_symlink()


def test_a_pipe_as_output_is_refused(built: tuple[Path, Path]) -> None:
    content, out = built
    os.mkfifo(out / "pipe.apkg")
    code, err = build_cli(content, str(out / "pipe.apkg"))
    assert code == 2 and "not a regular file" in err
    assert not (out / "pipe.apkg").is_file()


def test_a_symbolic_link_as_lock_is_refused(built: tuple[Path, Path], tmp_path: Path) -> None:
    content, out = built
    real = tmp_path / "real.lock"
    (content / "deck.lock").rename(real)
    (content / "deck.lock").symlink_to(real)
    code, err = build_cli(content, str(out / "deck.apkg"))
    assert code == 2 and "deck.lock: it is a symbolic link" in err


@pytest.mark.parametrize("name", ["ordner", "neu/"])
def test_a_folder_as_output_is_refused(built: tuple[Path, Path], name: str) -> None:
    content, out = built
    (out / "ordner").mkdir()
    before = snapshot(content, out)
    code, err = build_cli(content, f"{out}{os.sep}{name}")
    assert code == 2 and ("is a directory" in err or "is a folder; give a file name" in err)
    assert snapshot(content, out) == before and not (out / "neu").exists()


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere")
def test_a_read_only_folder_is_a_usage_error(built: tuple[Path, Path]) -> None:
    content, out = built
    out.chmod(0o555)
    try:
        code, err = build_cli(content, str(out / "deck.apkg"))
    finally:
        out.chmod(0o755)
    assert code == 2 and "cannot access" in err


def test_stale_temporaries_of_dead_processes_are_removed_and_live_ones_kept(built: tuple[Path, Path]) -> None:
    content, out = built
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    stale = out / f".deck.apkg.{dead}.abc123.tmp"
    live = out / f".deck.apkg.{os.getpid()}.def456.tmp"  # as if a watch in this process were writing
    stale.write_bytes(b"x")
    live.write_bytes(b"y")
    cache = BuildCache.open(out / ".cache", content).folder  # where this folder's build keeps its cache
    cache.mkdir(parents=True, exist_ok=True)
    cached_stale = cache / f".x.pickle.{dead}.cache.tmp"
    cached_stale.write_bytes(b"z")
    pipeline.build(content, out / "deck.apkg", now=NOW, cache=True)
    assert not stale.exists() and live.exists()
    assert not [p for p in (out / ".cache").rglob(".*.tmp")]


def test_sigterm_during_a_build_leaves_no_temporary_file_and_every_output_whole(built: tuple[Path, Path],
                                                                                tmp_path: Path) -> None:
    content, out = built
    truth = content / "02-wert.md"
    original = truth.read_text(encoding="utf-8")
    for delay in (0.05, 0.2, 0.4, 0.6, 0.9):
        truth.write_text(original.replace("Der Preis ist", f"Der Preis ({delay}) ist"), encoding="utf-8")
        before = snapshot(content, out)
        process = subprocess.Popen([sys.executable, "-m", "generator", "build", str(content), "-o",
                                    str(out / "deck.apkg")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, cwd=tmp_path)
        time.sleep(delay)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        # -15: stopped before the entry point set its handler (during start-up, before any file is touched)
        assert process.returncode in (0, 143, -signal.SIGTERM), err
        leftovers = [p for p in (*out.rglob("*"), *content.rglob("*")) if p.name.endswith(".tmp")]
        assert leftovers == []
        if process.returncode != 0:
            stopped = err.strip().endswith("terminated: no output is left half-written")
            assert process.returncode < 0 or stopped, err
            after = snapshot(content, out)
            changed = {path for path in before if after.get(path) != before[path]}
            outputs = {str(out / "deck.apkg"), str(out / "CHANGES.md"), str(content / "deck.lock")}
            assert changed in (set(), outputs), "all outputs as before, or all written"
