"""Rebuilds from the build cache, parallel parsing and the render shortcut never change a byte of output.

Also the cache's invalidation (edited file, changed image, changed code, damaged entry) and
the progress bar, which is wired into the same pipeline stages.
"""

from __future__ import annotations

import io
import json
import marshal
import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from generator import cache, jsontext, pipeline, render, sources, workers
from generator.cache import BuildCache
from generator.cli import main
from generator.errors import ContentError
from generator.jsontext import indented_json
from generator.lock import (
    LOCK_FORMAT,
    Changes,
    Lock,
    LockedNote,
    RetiredNote,
    lock_data,
    lock_from_record,
    lock_path,
    lock_record,
    lock_text,
    read_lock,
)
from generator.markup import markup_diagnostics
from generator.mdtree import block_parser, markdown, markup_sources
from generator.media import MediaSet
from generator.parse import parse_deck_file
from generator.progress import NO_PROGRESS, TerminalBar, terminal_progress
from generator.sources import SourceFile, read_sources
from generator.truthfile import TruthFile, compile_truth_file
from tests.test_failed_build import lock_in_child as in_child
from tests.test_properties import markdownish

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
    """How many truth files a build would compile instead of taking them from the cache."""
    build_cache = BuildCache.open(cache_dir, content)
    pipeline.load(content, build_cache)
    return len(build_cache.written)


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


def test_a_rebuild_decodes_only_the_files_it_compiles(golden_content: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.build(golden_content, tmp_path / "deck.apkg", now=NOW, cache=True)
    edit(golden_content)
    decoded: list[str] = []
    decode = sources._decode

    def spy(data: bytes, shown: str) -> object:
        decoded.append(Path(shown).name)
        return decode(data, shown)

    monkeypatch.setattr(sources, "_decode", spy)
    pipeline.build(golden_content, tmp_path / "deck.apkg", now=LATER, cache=True)
    assert sorted(decoded) == ["01-preis.md", "deck.md"]


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
    assert cache.code_fingerprint(code) == cache.LOADED_CODE
    (code / "parse.py").write_text((code / "parse.py").read_text() + "\n# changed\n")
    monkeypatch.setattr(cache, "LOADED_CODE", cache.code_fingerprint(code))
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


def parallel(monkeypatch: pytest.MonkeyPatch, processes: int = 2) -> list[list[SourceFile]]:
    """Make every compile of more than one file parallel; returns the lists of files compiled so."""
    calls: list[list[SourceFile]] = []
    in_parallel = workers._in_parallel

    def spy(files: list[SourceFile], *args: Any) -> list[TruthFile]:
        calls.append(files)
        return in_parallel(files, *args)

    monkeypatch.setattr(workers, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(workers, "_cores", lambda: processes)
    monkeypatch.setattr(workers, "_can_fork", lambda: True)
    monkeypatch.setattr(workers, "_in_parallel", spy)
    return calls


@pytest.mark.parametrize("processes", [2, 3])
def test_compiling_in_children_gives_what_compiling_in_order_gives(golden_content: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    processes: int) -> None:
    sources = read_sources(golden_content)
    deck = parse_deck_file(sources.deck).deck  # type: ignore[arg-type]
    calls = parallel(monkeypatch, processes)
    in_order = [compile_truth_file(s, deck) for s in sources.truths]
    assert all(file.rendered for file in in_order)
    build_cache = BuildCache.open(tmp_path / "cache", golden_content)
    assert workers.compile_truth_files(sources.truths, deck, build_cache) == in_order
    assert calls == [list(sources.truths)]
    again = BuildCache.open(tmp_path / "cache", golden_content)
    assert workers.compile_truth_files(sources.truths, deck, again) == in_order  # the children's entries
    assert not again.written and len(again.used) == len(in_order)


def test_a_failing_child_leaves_its_share_to_the_parent(golden_content: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    sources = read_sources(golden_content)
    deck = parse_deck_file(sources.deck).deck  # type: ignore[arg-type]
    parallel(monkeypatch)
    parent, in_parent = os.getpid(), []
    compile_file = workers.compile_truth_file

    def fails_in_a_child(source: SourceFile, deck: Any) -> TruthFile:
        if os.getpid() != parent:
            raise MemoryError("a child ran out of memory")
        in_parent.append(source)
        return compile_file(source, deck)

    monkeypatch.setattr(workers, "compile_truth_file", fails_in_a_child)
    expected = [compile_file(s, deck) for s in sources.truths]
    assert workers.compile_truth_files(sources.truths, deck) == expected
    assert sorted(s.display for s in in_parent) == sorted(s.display for s in sources.truths)


def test_shares_balance_the_text() -> None:
    sizes = [500, 400, 300, 300, 200, 100, 100, 50]
    own, other = workers.shares(sizes, 2)
    assert sorted(own + other) == list(range(len(sizes)))
    assert abs(sum(sizes[i] for i in own) * workers.OWN_SHARE_COST - sum(sizes[i] for i in other)) <= 100
    assert [len(share) for share in workers.shares([10] * 9, 3)] == [3, 3, 3]


# Render shortcut: text without Markdown syntax renders as itself, exactly as the full path renders it.

PLAIN = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\\`*_[]<>&\ufeff\u00a0"),
                max_size=40).filter(lambda t: render.PLAIN_TEXT.fullmatch(t) is not None)


def full_path_inline(renderer: render.Renderer, text: str) -> str:
    """What the parser and sanitiser make of `text`, with the plain-text shortcuts switched off."""
    try:
        render.PLAIN_INLINE = False
        return renderer.inline(text)
    finally:
        render.PLAIN_INLINE = True


@given(PLAIN)
def test_plain_text_renders_as_the_parser_and_sanitiser_render_it(text: str) -> None:
    renderer = render.Renderer(MediaSet({}, ()))
    assert renderer.inline(text) == full_path_inline(renderer, text)


BOLDISH = st.lists(st.one_of(PLAIN, st.sampled_from(
    ["**", " **", "** ", "**Wort**", " **zwei Wörter**", "**ä**", "**1**", "*", " *", "* ", "*Wort*",
     " *zwei Wörter*", "*ä*", "***", " ***x***", "**Satz.**", " *Frage?*", "*a,*",
     "**„Zitat“ (Effekt).**", "„", "“", "–", "…", "€", "=", "’", "+", ".", ",", "!", "?", ";", ":", ")",
     "(", '"', "'", "-", " ", "  ", "a", "Ü", "7", "\u3000", "\u2028", "{{c1::", "}}"])),
    max_size=12).map("".join)


@given(BOLDISH)
def test_plain_text_with_bold_or_italics_renders_as_the_parser_and_sanitiser_render_it(text: str) -> None:
    renderer = render.Renderer(MediaSet({}, ()))
    assert renderer.inline(text) == full_path_inline(renderer, text)


PARAGRAPHS = st.lists(st.lists(BOLDISH, min_size=1, max_size=3).map("\n".join), min_size=1, max_size=3).map(
    "\n\n".join)


@given(PARAGRAPHS)
def test_plain_paragraphs_render_as_the_parser_and_sanitiser_render_them(text: str) -> None:
    renderer = render.Renderer(MediaSet({}, ()))
    try:
        render.PLAIN_INLINE = False
        full = renderer.block(text)
    finally:
        render.PLAIN_INLINE = True
    assert renderer.block(text) == full


def test_the_shortcut_is_on_for_the_configured_parser() -> None:
    assert render.PLAIN_INLINE
    parser = markdown()
    assert parser.options["html"] and not parser.options["linkify"] and not parser.options["typographer"]
    assert set(parser.inline.ruler.get_active_rules()) <= {
        "text", "newline", "escape", "backticks", "emphasis", "link", "image", "autolink", "html_inline",
        "entity"}
    assert "<p>" in render.Renderer(MediaSet({}, ())).block("Ein **Absatz**.\n\nUnd *noch* einer.")
    assert render.PLAIN_TEXT.fullmatch("Der Kunde „zahlt“ {{c1::mehr}} – nicht weniger!")
    for markup in ("**fett**", "a & b", "<b>", "x\ny", "[Link](https://x.de)", "`Code`"):
        assert not render.PLAIN_TEXT.fullmatch(markup)
    assert render.PLAIN_EMPHASIS.fullmatch("Der **Kunde**, nicht *der Preis* zählt. **Punkt.**")
    assert render.PLAIN_EMPHASIS.fullmatch('Sie sagt **"Nein."** und *geht*.')
    for markup in ("x**a**", "**a**b", "** a**", "**a **", "***a***", "**a*b**", "**a**.**b**",
                   "*a**", "**a*", "x*a*", "*a*b", "*a*.*b*", "**a.**.", "*a.*b"):
        assert not render.PLAIN_EMPHASIS.fullmatch(markup)


# Lock text: exactly json.dumps's indented text, built faster and streamed in chunks.

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
JSON_VALUES = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner) | st.tuples(inner, inner) | st.dictionaries(st.text(), inner),
    max_leaves=40)


def dumped(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@given(JSON_VALUES)
def test_indented_json_is_the_text_of_json_dumps(value: object) -> None:
    assert "".join(indented_json(value)) == dumped(value)


def plain(lock: Lock) -> dict[str, Any]:
    """The lock as JSON data, the obvious way (dataclasses.asdict keeps the notes' NamedTuples)."""
    return {"format": LOCK_FORMAT, **asdict(lock), "notes": {k: n._asdict() for k, n in lock.notes.items()}}


def test_the_lock_text_is_json_dumps_of_the_lock(golden_content: Path, tmp_path: Path) -> None:
    pipeline.build(golden_content, tmp_path / "deck.apkg", now=NOW)
    written = lock_path(golden_content).read_text(encoding="utf-8")
    lock = read_lock(lock_path(golden_content), [])
    assert lock is not None and lock.notes
    assert lock_data(lock) == plain(lock)
    assert written == "".join(lock_text(lock)) == dumped(plain(lock)) + "\n"


def test_the_kept_lock_is_the_lock_read_back_in_its_order(golden_content: Path, tmp_path: Path) -> None:
    """Releases with added, changed and retired notes: the cache's copy is what the file gives back."""
    build = tmp_path / "deck.apkg"
    first = pipeline.build(golden_content, build, now=NOW, cache=True).compiled.lock
    edit(golden_content)
    retired = golden_content / "02-fragen.md"
    retired.unlink()
    second = pipeline.build(golden_content, build, now=LATER, cache=True).compiled.lock
    assert second.changes.changed and second.changes.retired and second.retired
    for planned in (first, second):
        lock_path(golden_content).write_text("".join(lock_text(planned)), encoding="utf-8")
        read = read_lock(lock_path(golden_content), [])
        assert read is not None
        kept = lock_from_record(marshal.loads(marshal.dumps(lock_record(planned))))
        assert repr(kept) == repr(read)  # types and every table's order included


@pytest.mark.parametrize("lock_in_child", [False, True])
def test_a_rebuild_takes_the_lock_it_wrote_from_the_cache(golden_content: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          lock_in_child: bool) -> None:
    """Written here or by a child (which reports the digest of what it wrote), the lock is kept."""
    children = in_child(monkeypatch) if lock_in_child else []
    build = tmp_path / "deck.apkg"
    pipeline.build(golden_content, build, now=NOW, cache=True)
    assert len(children) == lock_in_child
    written = lock_path(golden_content).read_bytes()
    build_cache = BuildCache.open(tmp_path / ".cache", golden_content)
    kept = build_cache.known_lock(written)
    assert kept is not None and repr(kept) == repr(read_lock(lock_path(golden_content), []))
    assert build_cache.known_lock(written + b" ") is None  # another text: the file is parsed
    parsed: list[object] = []
    monkeypatch.setattr("generator.lock._from_json", lambda raw: parsed.append(raw))
    edit(golden_content)
    pipeline.build(golden_content, build, now=LATER, cache=True)
    assert not parsed  # the rebuild read the lock from the cache
    assert build_cache.known_lock(lock_path(golden_content).read_bytes()) is not None  # and kept the new one


def test_a_lock_changed_since_the_last_build_is_parsed(golden_content: Path, tmp_path: Path) -> None:
    """A lock restored from version control, or a damaged cache entry: the lock file is what counts."""
    build = tmp_path / "deck.apkg"
    pipeline.build(golden_content, build, now=NOW, cache=True)
    original = lock_path(golden_content).read_bytes()
    edit(golden_content)
    pipeline.build(golden_content, build, now=LATER, cache=True)
    lock_path(golden_content).write_bytes(original)  # git checkout -- content/deck.lock
    result = pipeline.build(golden_content, build, now=LATER + 60, cache=True)
    assert "preis-sagen" in result.compiled.lock.changes.changed
    (entry,) = (tmp_path / ".cache").glob(f"*/{cache.LOCK_ENTRY}")
    entry.write_bytes(entry.read_bytes()[:80])
    lock_path(golden_content).write_bytes(original)
    result = pipeline.build(golden_content, build, now=LATER + 120, cache=True)
    assert "preis-sagen" in result.compiled.lock.changes.changed


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_small_lock_is_json_dumps_of_it_too(count: int) -> None:
    notes = {f"n-{n}": LockedNote(f"g{n}", "phrasing", "h", NOW, (), 'Sagen: „nein“ \\ "notes": {}')
             for n in range(count)}
    retired = {"alt": RetiredNote("g9", "cloze", '"notes": {}', 1)}
    lock = Lock('"notes": {}', 2, NOW, notes=notes, retired=retired, changes=Changes(retired=("alt",)))
    assert "".join(lock_text(lock)) == dumped(plain(lock)) + "\n"


def test_a_large_lock_is_written_in_chunks() -> None:
    notes = {f"note-{n:05}": LockedNote(f"guid{n}", "cloze", "h" * 16, NOW, ((1, "Antwort „ä“"),),
                                        f"Notiz {n}") for n in range(5000)}
    lock = Lock("deck", 1, NOW, notes=notes, changes=Changes(added=tuple(notes)))
    chunks = list(lock_text(lock))
    assert len(chunks) > 10 and max(map(len, chunks)) < 2 * jsontext.CHUNK_CHARS
    assert "".join(chunks) == dumped(plain(lock)) + "\n"


# The parse stage's parser runs inline rules only where markup diagnostics can find something.

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden" / "content"


@given(markdownish)
def test_the_blocks_parser_gives_the_full_parsers_blocks_and_markup_diagnostics(text: str) -> None:
    full, blocks = markdown().parse(text), block_parser().parse(text)
    assert [(t.type, t.map, t.content) for t in blocks] == [(t.type, t.map, t.content) for t in full]
    assert (markup_diagnostics(markup_sources(blocks), "x.md", GOLDEN)
            == markup_diagnostics(markup_sources(full), "x.md", GOLDEN))


def test_the_blocks_parser_differs_from_the_full_one_only_in_its_inline_rule() -> None:
    full, blocks = markdown(), block_parser()
    assert not full.options["linkify"] and blocks.options == full.options
    assert blocks.block.ruler.get_active_rules() == full.block.ruler.get_active_rules()
    assert blocks.core.ruler.get_active_rules() == full.core.ruler.get_active_rules()
    # Each rule that makes HTML, link or image tokens starts at "<", "[" or "![".
    assert set(full.inline.ruler.get_active_rules()) <= {
        "text", "newline", "escape", "backticks", "emphasis", "link", "image", "autolink", "html_inline",
        "entity"}


# Progress bar: only on a terminal, only after a second, erased at the end.

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
