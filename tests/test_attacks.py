"""Scripts, event handlers, javascript: URLs and layout-breaking markup in content never reach Anki.

Content full of attacks is built (they are warnings, so the build succeeds), imported into the
real Anki backend, and every rendered card side and deck description is inspected.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from anki.collection import Collection

from generator import pipeline
from generator.anki.notetypes import stylesheet
from tests.anki_support import all_cards, import_package, open_collection

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCRIPT = '<script>alert("x")</script>'
ONERROR = "<img src=x onerror=alert(1)>"
ATTACKS = [
    ("deck.md", "Ein kleiner Stapel für Tests.",
     f"Ein kleiner Stapel für Tests. {SCRIPT} {ONERROR}\n\n<iframe src=\"javascript:alert(1)\"></iframe>"),
    ("02-wert.md", "Der Wert entsteht im Kopf des Kunden.",
     "Der Wert <svg onload=alert(1)>entsteht</svg> im Kopf des Kunden. <details open ontoggle=alert(1)>"),
    ("02-wert.md", "Der Preis ist nur eine Zahl.", "\n\n".join([
        "Der Preis ist nur eine Zahl. <a href=\"javascript:alert(1)\">Klick</a> [Link](javascript:alert(1)) "
        "[Groß](JaVaScRiPt:alert(1)) [Entität](jav&#x61;script:alert(1)) <javascript:alert(1)>",
        "<style>body { display: none }</style>",
        '<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:red">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<base href="javascript:alert(1)//">',
        '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">Los</button></form>',
        '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ])),
    ("02-wert.md", "im {{c1::Kopf}} des Kunden.",
     f"im {{{{c1::Kopf{ONERROR}::{SCRIPT}}}}} des Kunden. </div></div></div></blockquote><b><i>"),
    ("01-nutzen.md", "„Viele Ihrer Nachbarn sind schon dabei.“",
     '„Viele <span style="color:red" onclick="alert(1)">Ihrer</span> Nachbarn sind schon dabei.“'),
    ("01-nutzen.md", "**Warum:** Lösungen verkauft jeder.",
     "**Warum:** Lösungen <a href='vbscript:msgbox(1)' onmouseover=alert(1)>verkauft</a> jeder. <div>"),
    ("01-nutzen.md", "### Die Smartwatch", f"### Die Smartwatch {ONERROR}"),
    ("01-nutzen.md", "**Situation:** Ein Kunde hält eine Smartwatch in der Hand.",
     "**Situation:** Ein Kunde hält eine [Smartwatch](javascript:alert(1)) in der Hand. <style>*{}</style>"),
    ("01-nutzen.md", "**Kunde:** „Was bringt mir das?“",
     '**Kunde:** „Was <a href="data:text/html;base64,PHNjcmlwdD4=">bringt</a> mir das?“ '
     "<svg><script>x</script>"),
    ("01-nutzen.md", "- [x] „Alle fragen danach.“", f"- [x] „Alle fragen danach.“ {SCRIPT}</li></ol>"),
]
SAFE_TAGS = {"div", "span", "blockquote", "hr", "p", "br", "strong", "b", "em", "i", "code", "s", "del",
             "sub", "sup", "ul", "ol", "li", "img", "a", "h1", "h2", "h3", "h4"}
SAFE_ATTRIBUTES = {"class", "id", "data-cloze", "data-ordinal", "data-verdict", "src", "alt", "href", "rel"}
VOID = {"br", "hr", "img"}
HANDLER_IN_TAG = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)
JAVASCRIPT_IN_TAG = re.compile(r"<[^>]*(?:java|vb)script:", re.IGNORECASE)


class Markup(HTMLParser):
    """Every tag and attribute of an HTML snippet, and whether its elements are balanced."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.open: list[str] = []
        self.unbalanced: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.unbalanced.append(tag)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[pipeline.BuildResult, Collection]]:
    folder = tmp_path_factory.mktemp("attacks")
    content = Path(shutil.copytree(FIXTURES / "valid_minimal", folder / "content"))
    for name, anchor, attack in ATTACKS:
        path = content / name
        text = path.read_text(encoding="utf-8")
        assert anchor in text, anchor
        path.write_text(text.replace(anchor, attack, 1), encoding="utf-8")
    result = pipeline.build(content, folder / "build" / "deck.apkg", now=1_800_000_000)
    collection = open_collection(tmp_path_factory.mktemp("anki"))
    counts = import_package(collection, result.output)
    assert counts.new == result.notes
    yield result, collection
    collection.close()


def card_sides(collection: Collection) -> Iterator[tuple[str, str]]:
    for card in all_cards(collection):
        yield f"card {card.id} front", card.question()
        yield f"card {card.id} back", card.answer()


def assert_inert(where: str, html: str) -> None:
    assert "<script" not in html.lower(), where
    assert not HANDLER_IN_TAG.search(html), where
    assert not JAVASCRIPT_IN_TAG.search(html), where
    markup = Markup(html)
    for tag, attrs in markup.tags:
        assert tag in SAFE_TAGS, f"{where}: <{tag}>"
        for name, value in attrs:
            assert name in SAFE_ATTRIBUTES, f"{where}: <{tag} {name}>"
            if name == "src":
                assert re.fullmatch(r"wk-[0-9a-f]{16}\.[a-z]+", value or ""), f"{where}: src={value}"
            if name == "href":
                assert (value or "").startswith(("https:", "http:", "mailto:")), f"{where}: href={value}"
    unbalanced = markup.unbalanced or markup.open
    assert not unbalanced, f"{where}: unbalanced {unbalanced}"


def test_every_attack_was_reported_as_a_warning(attacked: tuple[pipeline.BuildResult, Collection]) -> None:
    result, _ = attacked
    warnings = [d.format() for d in result.compiled.warnings]
    assert all(": warning: " in w for w in warnings)
    assert sum("raw HTML" in w for w in warnings) >= 15
    assert sum("link target `javascript:alert(1)`" in w for w in warnings) == 2
    assert any("link target `JaVaScRiPt:alert(1)`" in w for w in warnings)


def test_a_clean_card_has_only_ankis_stylesheet(tmp_path: Path) -> None:
    """What Anki itself adds to a card: our note type CSS in one <style>, nothing else active."""
    content = Path(shutil.copytree(FIXTURES / "valid_minimal", tmp_path / "content"))
    result = pipeline.build(content, tmp_path / "deck.apkg", now=1_800_000_000)
    collection = open_collection(tmp_path)
    try:
        import_package(collection, result.output)
        for where, html in card_sides(collection):
            assert html.startswith(f"<style>{stylesheet()}</style>"), where
            assert_inert(where, html.removeprefix(f"<style>{stylesheet()}</style>"))
    finally:
        collection.close()


def test_no_script_handler_or_javascript_url_reaches_a_card(
        attacked: tuple[pipeline.BuildResult, Collection]) -> None:
    result, collection = attacked
    css = f"<style>{stylesheet()}</style>"
    sides = list(card_sides(collection))
    assert len(sides) == 2 * sum(len(note.cloze_numbers) or 1 for note in result.compiled.deck.notes)
    for where, html in sides:
        assert html.startswith(css) and html.count("<style") == 1, f"{where}: content added a <style>"
        assert_inert(where, html.removeprefix(css))
        assert 'class="wk wk-' in html, f"{where}: the template's frame is intact"


Attacked = tuple[pipeline.BuildResult, Collection]


def test_stored_fields_and_deck_descriptions_are_inert(attacked: Attacked) -> None:
    _, collection = attacked
    for card in all_cards(collection):
        for name, value in card.note().items():
            assert_inert(f"note {card.nid} field {name}", value)
    for deck in collection.decks.all():
        assert_inert(f"deck {deck['name']}", deck.get("desc", ""))


def test_attacked_text_around_the_attacks_still_arrives(attacked: Attacked) -> None:
    _, collection = attacked
    texts = " ".join(html for _, html in card_sides(collection))
    for visible in ("Nachbarn sind schon dabei", "Lösungen", "verkauft", "bringt", "Alle fragen danach"):
        assert visible in texts
