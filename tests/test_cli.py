"""The command line in-process: help, version, exit codes and message format."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["ids"]])
def test_every_command_has_help(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "Usage:" in out
    assert len(out.splitlines()) > 3


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out == f"wahrheiten-deck, version {version('wahrheiten-deck')}\n"


def test_build_writes_package_release_notes_and_lock(golden_content: Path, tmp_path: Path) -> None:
    output = tmp_path / "out" / "deck.apkg"
    code, out, err = run("build", str(golden_content), "-o", str(output))
    assert (code, err) == (0, "")
    assert output.stat().st_size > 1000
    assert (tmp_path / "out" / "CHANGES.md").read_text().startswith("# Beispieldeck: Version 1")
    assert (golden_content / "deck.lock").exists()
    assert "9 notes, version 1: 9 added, 0 changed, 0 retired" in out
    code, out, _ = run("build", str(golden_content), "-o", str(output))
    assert code == 0 and "version 1: no changes since the last release" in out


def test_check_valid_content(golden_content: Path) -> None:
    code, out, err = run("check", str(golden_content))
    assert (code, out.strip(), err) == (0, "content is valid", "")


def test_content_error_exits_1_with_location(golden_content: Path, tmp_path: Path) -> None:
    truth = golden_content / "01-preis.md"
    truth.write_text(truth.read_text().replace("{{c1::glaubt}}", "{{c1::glaubt"), encoding="utf-8")
    output = tmp_path / "deck.apkg"
    code, _, err = run("build", str(golden_content), "-o", str(output))
    assert code == 1
    assert "01-preis.md:20: error: unclosed cloze gap (missing `}}`)" in err
    assert "Traceback" not in err
    assert not output.exists()


def test_missing_content_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "nope"))
    assert code == 2
    assert "content folder not found" in err


def test_unwritable_output_is_a_usage_error(golden_content: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run("build", str(golden_content), "-o", str(blocker / "deck.apkg"))
    assert code == 2
    assert err.startswith(f"error: cannot access {blocker}")
    assert "Traceback" not in err


def test_unknown_option_is_a_usage_error() -> None:
    code, _, _ = run("build", "--no-such-option")
    assert code == 2


def test_warnings_fail_only_with_strict(golden_content: Path) -> None:
    truth = golden_content / "01-preis.md"
    truth.write_text(truth.read_text().replace("Zweiter Absatz.", "Zweiter <b>Absatz</b>."),
                     encoding="utf-8")
    code, _, err = run("check", str(golden_content))
    assert code == 0 and "warning: raw HTML" in err
    code, _, err = run("check", "--strict", str(golden_content))
    assert code == 1 and "warning: raw HTML" in err


def test_ids_writes_keys_once(golden_content: Path) -> None:
    truth = golden_content / "01-preis.md"
    truth.write_text(truth.read_text().replace("  <!-- key: preis-glaube -->\n", ""), encoding="utf-8")
    code, out, _ = run("ids", str(golden_content))
    assert code == 0 and "added keys to" in out
    assert truth.read_text().count("<!-- key: preis-") == 6
    code, out, _ = run("ids", str(golden_content))
    assert (code, out.strip()) == (0, "every note already has a key")


def test_python_module_entry_point() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and "build" in result.stdout


def test_the_console_script_exits_at_once_with_the_right_code_and_all_output(golden_content: Path,
                                                                            tmp_path: Path) -> None:
    """The installed command ends the process without tearing it down: nothing may be lost."""
    import subprocess
    import sys

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                              check=False)

    built = command("build", str(golden_content), "-o", str(tmp_path / "deck.apkg"))
    assert built.returncode == 0 and built.stdout.startswith("wrote ") and built.stdout.endswith("\n")
    assert (tmp_path / "deck.apkg").stat().st_size > 0 and (tmp_path / "CHANGES.md").exists()
    (golden_content / "01-preis.md").write_text("---\nkey: preis\n---\n", encoding="utf-8")
    failed = command("build", str(golden_content), "-o", str(tmp_path / "deck.apkg"))
    assert failed.returncode == 1 and failed.stderr.endswith("build failed: no output was changed\n")
    assert command("build", str(tmp_path / "nirgends")).returncode == 2
    assert command("--version").stdout.startswith("wahrheiten-deck, version ")
