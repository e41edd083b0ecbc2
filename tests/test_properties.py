"""Property tests: any content gives a deck or diagnostics (never a crash); `ids` only adds keys, once."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.cli import main
from generator.errors import ContentError, Diagnostic
from generator.ids import write_missing_keys
from generator.rules import cloze
from generator.source.deckfile import parse_deck_file
from generator.source.parse import parse_truth_file
from generator.source.reading import SourceFile

VALID = Path(__file__).resolve().parent / "fixtures" / "valid_minimal"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of the content format, so that generated text often comes close to something meaningful.
FRAGMENTS = [
    "---\n", "key: ", "number: 3", "# ", "## Kernaussage\n", "## Erklärung\n", "## Lückentexte\n",
    "## Formulierungen\n", "## Szenarien\n", "### ", "- ", "  ", "    ", "\n", "\n\n", "{{c1::", "{{c2::",
    "{{c0::", "{{c", "}}", "::", "**Sagen:** ", "**Vermeiden:** ", "**Warum:** ", "**Besser:** ",
    "**Situation:** ", "**Kunde:** ", "**Reaktion:** ", "**Verlockend, aber falsch:** ", "**Auswahl:**\n",
    "**Reaktion**: ", "- [x] ", "- [ ] ", "<!-- key: ", "<!-- key: -->", "<!--", "-->", "![](", "![a](b.png)",
    "../", "[x](javascript:alert(1))", "<script>", "</script>", "<b>", "<img src=x onerror=alert(1)>",
    "`", "```\n", "> ", "1. ", "\t", "\r\n", "\r", "\ufeff", "\x00", "&amp;", "&#0;", "ä", "[", "]", "(",
    ")", "*", "_", "\\", "|", ": ", "'", '"', "{", "}", "<", ">", "[ref]: x.png\n", "\u2028", "\x0c",
]
markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map("".join)
TARGETS = ("deck.md", "01-nutzen.md", "02-wert.md")


@contextmanager
def valid_copy() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="wahrheiten-prop-") as tmp:
        yield Path(shutil.copytree(VALID, Path(tmp) / "content"))


def deck_or_diagnostics(content: Path) -> None:
    """Compiling gives a package, or raises ContentError with at least one located error."""
    try:
        compiled = pipeline.compile_content(content, now=0)
    except ContentError as failure:
        assert any(d.is_error for d in failure.diagnostics)
        assert all(_well_formed(d) for d in failure.diagnostics)
    else:
        assert compiled.package.startswith(b"PK")
        assert all(_well_formed(d) for d in compiled.warnings)


def _well_formed(diagnostic: Diagnostic) -> bool:
    first = diagnostic.format().split("\n")[0]
    located = bool(diagnostic.message and diagnostic.location.path)
    return located and f": {diagnostic.severity.value}: " in first


@SETTINGS
@given(text=markdownish, line=st.integers(0, 70), target=st.sampled_from(TARGETS))
def test_text_inserted_into_a_valid_file(text: str, line: int, target: str) -> None:
    with valid_copy() as content:
        path = content / target
        lines = path.read_text(encoding="utf-8").split("\n")
        lines.insert(min(line, len(lines)), text)
        path.write_text("\n".join(lines), encoding="utf-8", newline="")
        deck_or_diagnostics(content)


@SETTINGS
@given(data=st.one_of(markdownish.map(str.encode), st.text().map(str.encode), st.binary(max_size=200)),
       target=st.sampled_from((*TARGETS, "03-neu.md")))
def test_any_whole_file_through_the_cli(data: bytes, target: str) -> None:
    with valid_copy() as content:
        (content / target).write_bytes(data)
        result = CliRunner().invoke(main, ["check", str(content)])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        deck_or_diagnostics(content)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(markdownish, st.text()))
def test_parsers_never_crash(text: str) -> None:
    source = SourceFile(Path("x.md"), "x.md", text.encode(), Path("/nonexistent-content-root"))
    for parsed in (parse_truth_file(source), parse_deck_file(source)):
        assert all(_well_formed(d) for d in parsed.diagnostics)
    scan = cloze.scan_gaps(text)
    if not scan.problems:
        cloze.numbering_problem(scan.numbers)
        for gap in scan.gaps:
            cloze.front_text(text, gap.number)


# `ids` on valid content: only adds key lines, and a second run changes nothing.

word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=9)
sentence = st.lists(word, min_size=1, max_size=6).map(" ".join)
KEY_LINE = re.compile(r"^(?:key: [a-z0-9-]+|\s*<!-- key: [a-z0-9-]+ -->)$")


@st.composite
def truth_file(draw: st.DrawFn, number: int) -> str:
    keyed = st.booleans()
    lines = ["---"] + ([f"key: wahrheit{number}"] if draw(keyed) else []) + [f"number: {number}", "---", ""]
    lines += [f"# {draw(sentence)}", "", "## Kernaussage", "", draw(sentence), "", "## Erklärung", "",
              draw(sentence), "", "## Lückentexte", ""]
    for index in range(draw(st.integers(1, 4))):
        lines.append(f"- {draw(sentence)} {{{{c1::{draw(word)}}}}} {draw(sentence)}")
        if draw(keyed):
            lines.append(f"  <!-- key: t{number}-cloze{index} -->")
    lines += ["", "## Formulierungen", ""]
    for index in range(draw(st.integers(0, 2))):
        lines += [f"- **Sagen:** {draw(sentence)}", f"  **Warum:** {draw(sentence)}"]
        if draw(keyed):
            lines.append(f"  <!-- key: t{number}-phrase{index} -->")
    lines += ["", "## Szenarien", ""]
    for index in range(draw(st.integers(0, 2))):
        lines.append(f"### {draw(sentence)}")
        if draw(keyed):
            lines.append(f"<!-- key: t{number}-scene{index} -->")
        for label in ("Situation", "Kunde", "Reaktion", "Warum", "Verlockend, aber falsch"):
            lines += ["", f"**{label}:** {draw(sentence)}"]
        if draw(keyed):
            lines += ["", "**Auswahl:**", "", f"- [ ] {draw(sentence)}", f"- [x] {draw(sentence)}"]
        lines.append("")
    return "\n".join(lines) + "\n"


@SETTINGS
@given(truths=st.integers(1, 3).flatmap(lambda count: st.tuples(*map(truth_file, range(1, count + 1)))),
       deck_key=st.booleans(), crlf=st.booleans(), bom=st.booleans())
def test_ids_only_adds_keys_and_is_idempotent(truths: tuple[str, ...], deck_key: bool, crlf: bool,
                                              bom: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="wahrheiten-ids-") as tmp:
        content = Path(tmp)
        deck = "---\n" + ("key: deck\n" if deck_key else "") + "title: Test\nlanguage: de\n---\n\n# Test\n"
        files = {"deck.md": deck} | {f"{i:02d}-wahrheit.md": text for i, text in enumerate(truths, 1)}
        for name, text in files.items():
            data = text.replace("\n", "\r\n") if crlf else text
            (content / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))

        write_missing_keys(content)
        for name, text in files.items():
            raw = (content / name).read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf") == bom
            assert b"\n" not in raw.replace(b"\r\n", b"") if crlf else b"\r" not in raw
            after = raw.decode("utf-8-sig").replace("\r\n", "\n").split("\n")
            assert _added_lines(text.split("\n"), after), f"{name}: only key lines may be added"
            assert not any(line.startswith("- [") and KEY_LINE.match(next_line)
                           for line, next_line in pairwise(after)), "answer choices get no key"
        diagnostics = pipeline.check(content)
        assert not [d.format() for d in diagnostics if d.is_error]

        snapshot = {name: (content / name).read_bytes() for name in files}
        assert write_missing_keys(content) == []
        assert {name: (content / name).read_bytes() for name in files} == snapshot


def _added_lines(before: list[str], after: list[str]) -> bool:
    """True if `after` is `before` with only key lines inserted."""
    position = 0
    for line in after:
        if position < len(before) and line == before[position]:
            position += 1
        elif not KEY_LINE.match(line):
            return False
    return position == len(before)


PATHOLOGICAL = {
    "deck.md": ["---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n", "---\n" + "a: &a [*a]\n" * 3 + "---\n"],
    "02-wert.md": ["[" * 50000, "<!--" * 50000, "{{" * 50000, "{{c1::" * 20000, "> " * 20000 + "x",
                   "".join("  " * i + "- x\n" for i in range(2000)), "**Sagen:** " * 20000, "\x00" * 10000,
                   "---\nkey: " + "{" * 5000 + "\n---\n", "\n" * 200000, "<" * 50000 + ">" * 50000],
}


def test_pathological_files_give_diagnostics() -> None:
    """Inputs far outside what a trainer writes: deep nesting, long runs of syntax characters."""
    for target, texts in PATHOLOGICAL.items():
        for text in texts:
            with valid_copy() as content:
                (content / target).write_text(text, encoding="utf-8")
                deck_or_diagnostics(content)


@given(st.lists(st.sampled_from(["{{c1::", "{{c2::a", "}}", "}", "{", "::", "x", " ", "{{", "c1::"]),
                max_size=16).map("".join))
def test_stray_closing_braces_are_found_as_in_the_text_with_its_gaps_blanked(text: str) -> None:
    scan = cloze.scan_gaps(text)
    if scan.problems and not scan.problems[-1].message.startswith("`}}` without"):
        return  # the check runs only on otherwise sound text
    blanked = text
    for gap in scan.gaps:
        blanked = blanked[:gap.start] + " " * (gap.end - gap.start) + blanked[gap.end:]
    stray = [p.offset for p in scan.problems if p.message.startswith("`}}` without")]
    assert stray == ([blanked.find("}}")] if "}}" in blanked else [])
