"""A failed or interrupted build leaves the previous package, release notes and lock exactly as they were."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import files, pipeline
from generator.cli import main
from generator.errors import ContentError
from tests.conftest import snapshot


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_content_error_changes_nothing(built: tuple[Path, Path]) -> None:
    content, out = built
    edit(content / "02-wert.md", "{{c1::Kopf}}", "{{c1::Kopf")
    before = snapshot(content, out)
    with pytest.raises(ContentError):
        pipeline.build(content, out / "deck.apkg", now=1_900_000_000)
    assert snapshot(content, out) == before


def test_content_error_through_the_cli_changes_nothing(built: tuple[Path, Path]) -> None:
    content, out = built
    edit(content / "01-nutzen.md", "**Reaktion:**", "**Reaktion**:")
    before = snapshot(content, out)
    result = CliRunner().invoke(main, ["build", str(content), "-o", str(out / "deck.apkg")])
    assert result.exit_code == 1
    assert result.stderr.endswith("build failed: no output was changed\n")
    assert "Traceback" not in result.output
    assert snapshot(content, out) == before


def test_strict_warning_changes_nothing(built: tuple[Path, Path]) -> None:
    content, out = built
    edit(content / "02-wert.md", "Der Preis ist", "Der Preis <b>ist</b>")
    before = snapshot(content, out)
    with pytest.raises(ContentError):
        pipeline.build(content, out / "deck.apkg", strict=True, now=1_900_000_000)
    assert snapshot(content, out) == before


@pytest.mark.parametrize("failure", [KeyboardInterrupt(), OSError(28, "No space left on device")])
def test_interrupted_package_write_keeps_the_old_package(built: tuple[Path, Path],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         failure: BaseException) -> None:
    content, out = built
    edit(content / "02-wert.md", "Der Preis ist nur eine Zahl.", "Der Preis ist nur eine Zahl, sagt er.")
    before = snapshot(content, out)

    def interrupted(fd: int) -> None:  # the data is written, the rename has not happened yet
        raise failure

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(type(failure)):
        pipeline.build(content, out / "deck.apkg", now=1_900_000_000)
    assert snapshot(content, out) == before, "no half-written file and no leftover temporary file"


def test_package_is_replaced_in_one_rename(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    content, out = built
    edit(content / "02-wert.md", "Der Preis ist nur eine Zahl.", "Der Preis ist nur eine Zahl, sagt er.")
    old = (out / "deck.apkg").read_bytes()
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def replace(source: str, target: str) -> None:
        if Path(target) == out / "deck.apkg":
            assert (out / "deck.apkg").read_bytes() == old, "the old package stays until the rename"
            assert Path(source).parent == out and Path(source).read_bytes() != old
        renames.append((str(source), str(target)))
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", replace)
    pipeline.build(content, out / "deck.apkg", now=1_900_000_000)
    assert str(out / "deck.apkg") in [target for _, target in renames]
    assert (out / "deck.apkg").read_bytes() != old
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_outputs_are_all_written_before_the_first_is_replaced(built: tuple[Path, Path],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    content, out = built
    edit(content / "01-nutzen.md", "{{c1::", "{{c1::ganz ")  # a new release: every output changes
    targets = [out / "deck.apkg", out / "CHANGES.md", content / "deck.lock"]
    renamed: list[Path] = []
    real_replace = os.replace

    def replace(source: str, target: str) -> None:
        if not renamed:  # the first rename: every output is already written beside its target
            staged = {t: [p for p in t.parent.iterdir() if p.name.startswith(f".{t.name}.")] for t in targets}
            assert all(len(found) == 1 and found[0].stat().st_size > 0 for found in staged.values())
        renamed.append(Path(target))
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", replace)
    pipeline.build(content, out / "deck.apkg", now=1_900_000_000)
    assert renamed == targets


def test_output_that_is_a_folder_is_a_usage_error_and_writes_nothing(built: tuple[Path, Path]) -> None:
    content, out = built
    (out / "ordner.apkg").mkdir()
    before = snapshot(content, out)
    result = CliRunner().invoke(main, ["build", str(content), "-o", str(out / "ordner.apkg")])
    assert result.exit_code == 2
    assert snapshot(content, out) == before
