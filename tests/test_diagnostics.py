"""Every content mistake gives its exact compiler-style message: fixtures and generated cases."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import pipeline
from generator.cli import main
from generator.ids import write_missing_keys
from generator.source.reading import MAX_FILE_BYTES

FIXTURES = Path(__file__).resolve().parent / "fixtures"
INVALID = sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.is_dir())
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a3c3d1e20000000049454e44ae426082")


def check(folder: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> tuple[int, str, str]:
    """`wahrheiten-deck check .` run inside `folder`, so messages show paths relative to it."""
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["check", *options, "."])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the small valid content folder."""
    return Path(shutil.copytree(FIXTURES / "valid_minimal", tmp_path / "content"))


@pytest.mark.parametrize("case", INVALID)
def test_invalid_fixture_gives_exactly_its_messages(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = FIXTURES / "invalid" / case
    expected = (folder / "expected.txt").read_text(encoding="utf-8")
    code, out, err = check(folder, monkeypatch)
    assert err == expected
    assert code == (1 if "error:" in expected else 0)
    assert "Traceback" not in out + err


def test_every_invalid_fixture_has_an_error_or_a_warning() -> None:
    for case in INVALID:
        expected = (FIXTURES / "invalid" / case / "expected.txt").read_text(encoding="utf-8")
        lines = [line for line in expected.splitlines() if not line.startswith("  hint: ")]
        assert lines[-1].endswith("warning(s)"), case
        for line in lines[:-1]:
            location, severity, message = line.split(": ", 2)
            assert severity in ("error", "warning") and message, line
            assert location.endswith(".md") or location.split(":")[-1].isdigit(), line
        assert len(lines) - 1 == expected.count("\n  hint: "), f"{case}: every message has a hint"


def test_valid_fixture_is_clean_even_with_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    assert check(FIXTURES / "valid_minimal", monkeypatch, "--strict") == (0, "content is valid\n", "")


def test_warnings_become_errors_with_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = FIXTURES / "invalid" / "raw_html"
    code, out, err = check(folder, monkeypatch, "--strict")
    assert code == 1 and out == ""
    assert err == (folder / "expected.txt").read_text(encoding="utf-8")


def test_build_reports_the_same_messages_and_writes_nothing(content: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    truth = content / "02-wert.md"
    truth.write_text(truth.read_text(encoding="utf-8").replace("{{c1::Kopf}}", "{{c1::Kopf"),
                     encoding="utf-8")
    monkeypatch.chdir(content)
    result = CliRunner().invoke(main, ["build", ".", "-o", str(tmp_path / "out.apkg")])
    assert result.exit_code == 1
    assert result.stderr == ("02-wert.md:18: error: unclosed cloze gap (missing `}}`)\n"
                             "  hint: write a gap as {{c1::answer}} or {{c1::answer::hint}}\n"
                             "1 error(s), 0 warning(s)\nbuild failed: no output was changed\n")
    assert not (tmp_path / "out.apkg").exists() and not (content / "deck.lock").exists()


# Cases that cannot be committed as plain files: encodings, links, sizes.

def test_file_that_is_not_utf8_names_its_line(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    truth = content / "02-wert.md"
    truth.write_bytes(truth.read_text(encoding="utf-8").encode("cp1252"))  # "Erklärung" on line 12
    code, _, err = check(content, monkeypatch)
    assert code == 1
    assert err == ("02-wert.md:12: error: the file is not saved as UTF-8 "
                   "(unreadable byte 0xe4 in column 8)\n"
                   "  hint: save the file with the encoding UTF-8 in your editor "
                   "(\"Save as\", encoding UTF-8)\n"
                   "1 error(s), 0 warning(s)\n")


def test_ids_leaves_a_file_that_is_not_utf8_alone(content: Path) -> None:
    truth = content / "02-wert.md"
    text = truth.read_text(encoding="utf-8")
    without_key = "\n".join(line for line in text.split("\n") if "<!-- key:" not in line)
    assert without_key != text
    # One Latin-1 "ä" in the note's sentence; everything else still reads as UTF-8.
    truth.write_bytes(without_key.encode("utf-8").replace(b"{{c1::Kopf}} des", b"{{c1::Kopf}} \xe4 des"))
    before = truth.read_bytes()
    assert truth not in write_missing_keys(content)
    assert truth.read_bytes() == before


def test_control_characters_are_named_by_line_and_column(content: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """U+001F would split the note's fields in Anki; front matter and deck file are checked too, once."""
    truth = content / "02-wert.md"
    text = truth.read_text(encoding="utf-8").replace("key: wert\n", "key: wert\x0c\n", 1)
    truth.write_text(text.replace("{{c1::Kopf}} des", "{{c1::Kopf}}\x1f\x00 des\tKunden"), encoding="utf-8")
    deck = content / "deck.md"
    deck.write_text(deck.read_text(encoding="utf-8").replace("\n\n", "\n\n\x85", 1), encoding="utf-8")
    code, _, err = check(content, monkeypatch)
    assert code == 1
    lines = [line for line in err.splitlines() if not line.startswith("  hint")]
    assert lines == [
        "02-wert.md:2: error: an invisible control character (U+000C) in column 10",
        "02-wert.md:18: error: an invisible control character (U+001F) in column 36",
        f"deck.md:{deck.read_text(encoding='utf-8').split(chr(0x85))[0].count(chr(10)) + 1}: error: "
        "an invisible control character (U+0085) in column 1",
        "3 error(s), 0 warning(s)",
    ]
    assert "delete it" in err


def test_utf16_file_is_not_utf8(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    truth = content / "02-wert.md"
    truth.write_bytes(truth.read_text(encoding="utf-8").encode("utf-16"))
    code, _, err = check(content, monkeypatch)
    assert code == 1
    assert err.startswith("02-wert.md:1: error: the file is not saved as UTF-8 "
                          "(unreadable byte 0xff in column 1)")


def test_symlink_out_of_the_content_folder(content: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "geheim.md"
    outside.write_text("---\nkey: geheim\nnumber: 3\n---\n", encoding="utf-8")
    (content / "03-link.md").symlink_to(outside)
    code, _, err = check(content, monkeypatch)
    assert code == 1
    assert err == ("03-link.md: error: symbolic link points outside the content folder "
                   f"(to {outside.resolve()})\n"
                   "  hint: copy the file into the content folder instead of linking to it\n"
                   "1 error(s), 0 warning(s)\n")


def test_symlink_inside_the_content_folder_is_read(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (content / ".texte").mkdir()  # hidden folders are not read themselves
    (content / "02-wert.md").rename(content / ".texte" / "wert.md")
    (content / "02-wert.md").symlink_to(content / ".texte" / "wert.md")
    assert check(content, monkeypatch, "--strict") == (0, "content is valid\n", "")


def test_broken_symlink_and_folders_named_md(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (content / "03-weg.md").symlink_to(content / "gibt-es-nicht.md")
    (content / "ordner.md").mkdir()
    code, _, err = check(content, monkeypatch)
    assert code == 1
    assert err == ("03-weg.md: error: the file cannot be read (No such file or directory)\n"
                   "  hint: check that the file exists and that you may read it\n"
                   "1 error(s), 0 warning(s)\n")


def test_file_over_the_size_limit(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    truth = content / "02-wert.md"
    text = truth.read_text(encoding="utf-8")
    truth.write_text(text + "\n<!-- " + "x" * MAX_FILE_BYTES + " -->\n", encoding="utf-8")
    size = truth.stat().st_size
    code, _, err = check(content, monkeypatch)
    assert code == 1
    assert err == (f"02-wert.md: error: the file is too large ({size:,} bytes, limit 1,000,000)\n"
                   "  hint: split the content into several files, one per truth\n"
                   "1 error(s), 0 warning(s)\n")


def test_crlf_and_byte_order_mark_are_accepted_silently(content: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    plain = pipeline.compile_content(content, now=0).package
    for path in content.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert check(content, monkeypatch, "--strict") == (0, "content is valid\n", "")
    assert pipeline.compile_content(content, now=0).package == plain


def test_crlf_lines_are_counted_like_lf(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    truth = content / "02-wert.md"
    text = truth.read_text(encoding="utf-8").replace("{{c1::Kopf}}", "{{c2::Kopf}}")
    truth.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    _, _, err = check(content, monkeypatch)
    assert err.startswith("02-wert.md:18: error: cloze numbers have a gap: c1 is missing\n")


def test_ids_keeps_crlf_and_bom(content: Path) -> None:
    truth = content / "02-wert.md"
    text = truth.read_text(encoding="utf-8").replace("  <!-- key: wert-izhq5f -->\n", "")
    truth.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert write_missing_keys(content) == [truth]
    data = truth.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    assert data.count(b"<!-- key: wert-") == 1


# Images: only from inside the content folder, errors at their line, names by content hash.

def add_image(content: Path, reference: str, where: str = "Der Preis ist nur eine Zahl.") -> None:
    truth = content / "02-wert.md"
    text = truth.read_text(encoding="utf-8")
    truth.write_text(text.replace(where, f"{where}\n\n![Preisschild]({reference})"), encoding="utf-8")


@pytest.mark.parametrize(("reference", "message"), [
    ("bilder/fehlt.png", "image `bilder/fehlt.png` not found in the content folder"),
    ("../x.png", "image path `../x.png` must be relative and stay inside the content folder"),
    ("a/../../x.png", "image path `a/../../x.png` must be relative and stay inside the content folder"),
    ("/etc/x.png", "image path `/etc/x.png` must be relative and stay inside the content folder"),
    ("file:///etc/x.png", "image `file:///etc/x.png` is not a file in the content folder"),
    ("javascript:alert(1)", "image `javascript:alert(1)` is not a file in the content folder"),
    ("data:image/png;base64,AAAA", "image `data:image/png;base64,AAAA` is not a file in the content folder"),
    ("bilder\\x.png", "image path `bilder\\x.png` must use `/` between folder names, not `\\`"),
    ("preis.pdf", "`preis.pdf` is not a supported image (.gif, .jpeg, .jpg, .png, .svg, .webp)"),
])
def test_unusable_image_is_an_error_at_its_line(content: Path, monkeypatch: pytest.MonkeyPatch,
                                                reference: str, message: str) -> None:
    add_image(content, reference)
    code, _, err = check(content, monkeypatch)
    assert code == 1
    assert err.splitlines()[0] == f"02-wert.md:16: error: {message}"
    assert err.splitlines()[1].startswith("  hint: put the image into the content folder")


def test_image_linked_out_of_the_content_folder(content: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "geheim.png").write_bytes(PNG)
    (content / "bild.png").symlink_to(tmp_path / "geheim.png")
    add_image(content, "bild.png")
    _, _, err = check(content, monkeypatch)
    assert err.splitlines()[0] == ("02-wert.md:16: error: image `bild.png` is a link to a file outside "
                                   "the content folder")


def test_svg_with_a_script_is_rejected(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (content / "bild.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    add_image(content, "bild.svg")
    _, _, err = check(content, monkeypatch)
    assert err.splitlines()[0] == ("02-wert.md:16: error: SVG image `bild.svg` contains scripts, "
                                   "event handlers or links")


def test_image_in_a_note_is_reported_at_its_own_line(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    truth = content / "01-nutzen.md"
    text = truth.read_text(encoding="utf-8")
    truth.write_text(text.replace("**Warum:** Spricht den Herdentrieb an.",
                                  "**Warum:** Spricht den Herdentrieb an. ![](fehlt.png)"), encoding="utf-8")
    _, _, err = check(content, monkeypatch)
    assert err.splitlines()[0] == "01-nutzen.md:26: error: image `fehlt.png` not found in the content folder"


def test_images_are_packaged_under_their_content_hash(content: Path) -> None:
    (content / "bilder").mkdir()
    (content / "bilder" / "Preisschild ä.png").write_bytes(PNG)
    add_image(content, "<bilder/Preisschild ä.png>")
    description = content / "deck.md"
    logo = "\n![Logo](bilder/Preisschild%20ä.png)\n"
    description.write_text(description.read_text(encoding="utf-8") + logo, encoding="utf-8")
    first = pipeline.compile_content(content, now=0)
    (name,) = [m.name for m in first.media.files]
    assert name.startswith("wk-") and name.endswith(".png")
    assert f'<img src="{name}" alt="Preisschild">' in first.deck.decks[2].description
    assert f'<img src="{name}" alt="Logo">' in first.deck.decks[0].description

    (content / "bilder" / "Preisschild ä.png").write_bytes(PNG + b"\0")
    (changed,) = [m.name for m in pipeline.compile_content(content, now=0).media.files]
    assert changed != name, "a changed image must get a new name so that it reaches learners"


def test_messages_are_sorted_by_file_and_line_and_all_reported_at_once(
        content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path, old, new in [("02-wert.md", "{{c1::Kopf}}", "{{c1::}}"),
                           ("01-nutzen.md", "## Erklärung", "## Erklaerung"),
                           ("02-wert.md", "wert-izhq5f", "x"),
                           ("deck.md", "language: de\n", "")]:
        file = content / path
        file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    code, _, err = check(content, monkeypatch)
    messages = [line for line in err.splitlines() if ": error: " in line]
    assert code == 1
    assert [m.split(": ")[0] for m in messages] == [
        "01-nutzen.md:1", "01-nutzen.md:12", "02-wert.md:18", "02-wert.md:18", "deck.md:1"]
    assert "02-wert.md:18: error: malformed key `x`: a key has 2 to 40 characters" in messages
    assert err.endswith("5 error(s), 0 warning(s)\n")


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "fehlt")])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    (tmp_path / "datei").write_text("")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "datei")])
    assert result.exit_code == 2


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read everything")
def test_unreadable_file(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (content / "02-wert.md").chmod(0)
    code, _, err = check(content, monkeypatch)
    assert code == 1 and "02-wert.md: error: the file cannot be read (Permission denied)" in err
