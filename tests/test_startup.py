"""A build of plain content imports neither markdown-it nor genanki (each costs a small build a third
of its time); a build that needs markdown-it still gets it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import DEFAULT_CONTENT, copy_content

PROBE = """
import sys
from pathlib import Path
from generator.cli import main
try:
    main(["build", sys.argv[1], "-o", sys.argv[2], "-q"])
except SystemExit as done:
    assert not done.code, done.code
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def imported_by_build(content: Path, output: Path) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, str(content), str(output)],
                            capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_building_the_default_deck_imports_no_markdown_parser_and_no_genanki(tmp_path: Path) -> None:
    content = copy_content(DEFAULT_CONTENT, tmp_path / "content")
    modules = imported_by_build(content, tmp_path / "deck.apkg")
    assert "generator" in modules and "yaml" in modules
    assert not modules & {"markdown_it", "mdit_py_plugins", "genanki", "asyncio"}


def test_markup_outside_the_shortcuts_still_renders(tmp_path: Path) -> None:
    content = copy_content(DEFAULT_CONTENT, tmp_path / "content")
    path = next(content.glob("01-*.md"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("## Erklärung\n\n", "## Erklärung\n\n> Ein Zitat als Einstieg.\n\n", 1),
                    encoding="utf-8")
    assert "markdown_it" in imported_by_build(content, tmp_path / "deck.apkg")


def test_a_rebuild_after_an_edit_of_the_text_parses_no_yaml(tmp_path: Path) -> None:
    """Front matter the last build parsed comes from the build cache: PyYAML is not even imported."""
    content = copy_content(DEFAULT_CONTENT, tmp_path / "content")
    assert "yaml" in imported_by_build(content, tmp_path / "deck.apkg")
    path = next(content.glob("01-*.md"))
    text = path.read_text(encoding="utf-8")
    edited = text.replace("## Erklärung\n\n", "## Erklärung\n\nEin neuer Satz.\n\n", 1)
    path.write_text(edited, encoding="utf-8")
    assert "yaml" not in imported_by_build(content, tmp_path / "deck.apkg")
    path.write_text(text.replace("number: 1", "number:  1"), encoding="utf-8")  # new front matter text
    assert "yaml" in imported_by_build(content, tmp_path / "deck.apkg")
