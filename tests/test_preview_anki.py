"""The preview renders cards exactly as Anki does: its template rules, and the real backend compared."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection

from generator import pipeline
from generator.ids import write_missing_keys
from generator.model import PRACTICE_NUMBER
from generator.preview.cards import PreviewCard
from generator.preview.site import write_preview
from generator.preview.template import Side, cloze_filter, encode_attribute, field_is_empty, render
from tests.anki_support import all_cards, imported_collection

DEFAULT_CONTENT = Path(__file__).resolve().parent.parent / "content"
STYLE = re.compile(r"^<style>.*?</style>", re.DOTALL)
# Every field shape the templates react to: hints, repeated gap numbers, markup and entities in
# gaps, an empty "Besser", scenarios with and without choices.
EDGE_CASES = """---
key: randfaelle
number: 98
---

# Randfälle & Co.

## Kernaussage

Eine *Kernaussage* mit „Zeichen“ & <Spitzen>.

## Erklärung

Nur für den Vergleich mit Anki.

## Lückentexte

- Mit {{c1::Hinweis::Tipp}} und {{c2::**fett** & „zitiert“}} und {{c1::wieder eins}}.
- Satzzeichen {{c1::A/B-C; D=E?}} und 1 {{c2::€}} und {{c3::ärgerlich}}.

## Formulierungen

- **Sagen:** „Ohne Besser.“
  **Warum:** Weil *kursiv*.
- **Vermeiden:** „Mit Besser.“
  **Warum:** Darum.
  **Besser:** „So **besser**.“

## Szenarien

### Ohne Auswahl

**Situation:** Eine Situation.

**Kunde:** „Frage?“

**Reaktion:** „Antwort.“

**Warum:** Grund.

**Verlockend, aber falsch:** „Falsch.“

### Mit Auswahl

**Situation:** Noch eine.

**Kunde:** „Und?“

**Reaktion:** „Die zweite.“

**Warum:** Grund.

**Verlockend, aber falsch:** „Die erste.“

**Auswahl:**

- [ ] Die erste
- [x] Die zweite
- [ ] Die dritte
"""


# Anki's rules, as observed in the real backend ---------------------------------------------

@pytest.mark.parametrize(("text", "encoded"), [
    ("am meisten", "am&#x20;meisten"), ("Mode/Trend", "Mode&#x2F;Trend"), ("Arzt-Effekt", "Arzt&#x2D;Effekt"),
    ("Selbstverständlich", "Selbstverst&#xE4;ndlich"), ('"&<>', "&quot;&amp;&lt;&gt;"),
    ("a\nb", "a&#x0A;b"), ("„–€😀", "„–€😀"),
])
def test_cloze_answers_are_encoded_like_anki(text: str, encoded: str) -> None:
    assert encode_attribute(text) == encoded


def test_cloze_filter_hides_the_cards_gaps_and_shows_the_others() -> None:
    text = "{{c1::a::Tipp}} {{c2::b}} {{c1::c}}"
    assert cloze_filter(text, 1, question=True) == (
        '<span class="cloze" data-cloze="a" data-ordinal="1">[Tipp]</span> '
        '<span class="cloze-inactive" data-ordinal="2">b</span> '
        '<span class="cloze" data-cloze="c" data-ordinal="1">[...]</span>')
    assert cloze_filter(text, 2, question=False) == (
        '<span class="cloze-inactive" data-ordinal="1">a</span> '
        '<span class="cloze" data-ordinal="2">b</span> '
        '<span class="cloze-inactive" data-ordinal="1">c</span>')
    assert cloze_filter(text, 3, question=True) == ""


@pytest.mark.parametrize(("html", "empty"), [
    ("", True), (" \n", True), ("<br>", True), ("<BR />", True), (" <div> <br> </div>\n", True),
    ("x", False), ("&nbsp;", False), ("<p></p>", False), ("\u200b", False),
])
def test_field_emptiness_follows_anki(html: str, empty: bool) -> None:
    assert field_is_empty(html) is empty


def test_sections_inverted_sections_and_front_side() -> None:
    template = "{{#A}}[{{A}}]{{/A}}{{^B}}no B{{/B}}{{#c2}}second{{/c2}}<!-- {{X}} -->{{FrontSide}}"
    side = Side({"A": "a", "B": " "}, ordinal=1, question=False, front_side="F")
    assert render(template, side) == "[a]no Bsecond<!-- {{X}} -->F"


@pytest.mark.parametrize("template", ["{{Nope}}", "{{#A}}x", "{{#A}}x{{/B}}", "{{text:A}}"])
def test_templates_the_preview_cannot_render_fail_loudly(template: str) -> None:
    with pytest.raises(ValueError, match="template"):
        render(template, Side({"A": "a"}, ordinal=0, question=True))


# The real Anki backend ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    folder = tmp_path_factory.mktemp("preview-anki")
    content = folder / "content"
    shutil.copytree(DEFAULT_CONTENT, content, ignore=shutil.ignore_patterns("*.lock"))
    (content / "98-randfaelle.md").write_text(EDGE_CASES, encoding="utf-8")
    write_missing_keys(content)
    return pipeline.build(content, folder / "build" / "deck.apkg", now=1_800_000_000)


@pytest.fixture(scope="module")
def preview(built: pipeline.BuildResult, tmp_path_factory: pytest.TempPathFactory
            ) -> dict[tuple[str, int], PreviewCard]:
    result = write_preview(built.compiled, tmp_path_factory.mktemp("site"))
    page = result.index.read_text(encoding="utf-8")
    for card in result.cards:  # what the tests below compare is what the page shows
        assert card.question in page and card.answer in page
    return {(card.key, card.ordinal): card for card in result.cards}


@pytest.fixture(scope="module")
def collection(built: pipeline.BuildResult, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[Collection]:
    with imported_collection(built.output, tmp_path_factory.mktemp("anki")) as (col, _):
        yield col


def normalised(html: str) -> str:
    return " ".join(STYLE.sub("", html).split())


def test_every_card_anki_makes_is_in_the_preview(collection: Collection,
                                                 preview: dict[tuple[str, int], PreviewCard]) -> None:
    anki = {(card.note()["Schlüssel"], card.ord) for card in all_cards(collection)}
    assert anki == set(preview)


def test_preview_cards_match_what_anki_renders(collection: Collection,
                                               preview: dict[tuple[str, int], PreviewCard]) -> None:
    kinds = set()
    for card in all_cards(collection):
        shown = preview[(card.note()["Schlüssel"], card.ord)]
        assert normalised(shown.question) == normalised(card.question()), shown.location
        assert normalised(shown.answer) == normalised(card.answer()), shown.location
        kinds.add((shown.kind, shown.truth == PRACTICE_NUMBER))
    # Every kind, and the practice file's: "Welche Wahrheit?" and combined scenarios, which name truths.
    assert kinds == {("cloze", False), ("phrasing", False), ("scenario", False), ("recognition", True),
                     ("scenario", True)}
