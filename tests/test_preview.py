"""The HTML preview: a self-contained page, the CLI, and the page in a real browser (a system Chromium)."""

from __future__ import annotations

import base64
import html
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, expect

from generator import pipeline
from generator.cli import main
from generator.errors import UsageError
from generator.ids import write_missing_keys
from generator.model import PRACTICE_NUMBER
from generator.preview.site import PreviewResult, write_preview

DEFAULT_CONTENT = Path(__file__).resolve().parent.parent / "content"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
                       "hgGAWjR9awAAAABJRU5ErkJggg==")
# A truth with an image, a hint and raw HTML that must never reach the page.
EXTRA_TRUTH = """---
key: sonderfaelle
number: 99
---

# Sonderfälle

## Kernaussage

Auch **fett** bleibt sicher <script>alert("kern")</script>.

## Erklärung

Ein Bild: ![Diagramm](bilder/diagramm.png)

Und <img src="http://example.invalid/x.png" onerror="alert(1)"> nie.

## Lückentexte

- Das {{c1::Vorschaumuster::Hinweis}} steht hier, {{c2::zweimal}} und {{c1::doppelt}}.
- Ein Bild ![Motive](bilder/diagramm.png) zeigt die {{c1::Kaufmotive}}.

## Formulierungen

- **Vermeiden:** „<b onmouseover="alert(2)">Böse</b> Formulierung“
  **Warum:** Weil <a href="javascript:alert(3)">hier</a>.
  **Besser:** „Eine sichere Formulierung.“
"""
INJECTED = ("alert(", "example.invalid", "onmouseover", "onerror", "javascript:")


def copy_content(target: Path, extra: bool = True) -> Path:
    shutil.copytree(DEFAULT_CONTENT, target, ignore=shutil.ignore_patterns("*.lock"))
    if extra:
        (target / "bilder").mkdir(exist_ok=True)
        (target / "bilder" / "diagramm.png").write_bytes(PNG)
        (target / "99-sonderfaelle.md").write_text(EXTRA_TRUTH, encoding="utf-8")
    write_missing_keys(target)
    return target


@dataclass(frozen=True)
class Site:
    compiled: pipeline.Compiled
    result: PreviewResult

    @property
    def html(self) -> str:
        return self.result.index.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("preview")
    compiled = pipeline.compile_content(copy_content(folder / "content"), now=1_800_000_000)
    return Site(compiled, write_preview(compiled, folder / "site"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# The page as written -------------------------------------------------------------------------

def test_page_is_one_self_contained_file_with_the_media_beside_it(site: Site) -> None:
    folder = site.result.index.parent
    media = [m.name for m in site.compiled.media.files]
    assert media and sorted(p.name for p in folder.iterdir()) == ["index.html", *media]
    assert not re.search(r"<link|<script[^>]*\bsrc=|https?://", site.html)
    assert "default-src 'none'" in site.html
    for source in re.findall(r'\bsrc="([^"]*)"', site.html):
        assert (folder / source).is_file()


def test_page_embeds_every_card_face_exactly_as_rendered(site: Site) -> None:
    assert site.html.count('<article class="pv-card"') == len(site.result.cards)
    for card in site.result.cards:
        assert f'pv-front">{card.question}</div>' in site.html
        assert f'pv-back" hidden>{card.answer}</div>' in site.html


def test_the_practice_file_is_shown_by_its_title(site: Site) -> None:
    practice = [truth for truth in site.compiled.content.truths if truth.practice]
    assert practice, "the default content has a practice file (`practice: true`)"
    title = html.escape(practice[0].title)
    assert f'<option value="{PRACTICE_NUMBER}">{title}</option>' in site.html
    heading = (f'<p class="pv-truth-number">Praxis über alle Wahrheiten</p>'
               f'<h2 class="pv-truth-title">{title}</h2>')
    assert heading in site.html
    assert f"Wahrheit {PRACTICE_NUMBER}" not in site.html and f">{PRACTICE_NUMBER} · " not in site.html
    assert '<span class="pv-kind" data-kind="recognition">Welche Wahrheit?</span>' in site.html


def test_raw_html_from_content_never_reaches_the_page(site: Site) -> None:
    for needle in INJECTED:
        assert needle not in site.html


def test_stale_media_go_and_other_files_stay(site: Site, tmp_path: Path) -> None:
    (tmp_path / "wk-0123456789abcdef.png").write_bytes(b"old")
    (tmp_path / "notizen.txt").write_text("mine")
    write_preview(site.compiled, tmp_path)
    assert not (tmp_path / "wk-0123456789abcdef.png").exists()
    assert (tmp_path / "notizen.txt").read_text() == "mine"


def test_the_output_must_be_a_folder(site: Site, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError):
        write_preview(site.compiled, tmp_path / "file")


# Command line -------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["preview", "watch"])
def test_commands_have_help(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0 and "Usage:" in out


def test_preview_command_writes_the_site(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    code, out, err = run("preview", str(content), "-o", str(tmp_path / "site"))
    assert code == 0
    assert "wrote preview" in out and (tmp_path / "site" / "index.html").is_file()
    assert "99-sonderfaelle.md:" in err and ": warning: raw HTML" in err


def test_preview_of_broken_content_fails_and_writes_nothing(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content", extra=False)
    (content / "99-kaputt.md").write_text("---\nkey: kaputt\nnumber: 99\n---\n\n# Kaputt\n", encoding="utf-8")
    code, _, err = run("preview", str(content), "-o", str(tmp_path / "site"))
    assert code == 1
    assert re.search(r"99-kaputt\.md:\d+: error: ", err)
    assert not (tmp_path / "site").exists()


def test_preview_of_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("preview", str(tmp_path / "nichts"))
    assert code == 2 and "not found" in err


def test_build_writes_the_preview_beside_the_package(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content", extra=False)
    code, out, _ = run("build", str(content), "-o", str(tmp_path / "out" / "deck.apkg"), "--preview")
    assert code == 0, out
    assert (tmp_path / "out" / "deck.apkg").is_file()
    assert (tmp_path / "out" / "preview" / "index.html").is_file()
    assert "wrote preview" in out


# In the browser -----------------------------------------------------------------------------



@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    """The preview from disk; after the test: no console errors and no request beyond file://."""
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.set_default_timeout(5_000)
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site.result.index.as_uri())
    yield page
    context.close()
    assert problems == []
    assert requests and all(url.startswith("file://") for url in requests)


def visible_cards(page: Page) -> list[tuple[str, int]]:
    return [(key, int(ordinal)) for key, ordinal in page.eval_on_selector_all(
        ".pv-card:not([hidden])", "cards => cards.map(c => [c.dataset.key, c.dataset.ord])")]


def test_every_card_is_present_grouped_by_truth_in_order(page: Page, site: Site) -> None:
    assert visible_cards(page) == [(card.key, card.ordinal) for card in site.result.cards]
    numbers = page.eval_on_selector_all(".pv-truth", "sections => sections.map(s => +s.dataset.truth)")
    assert numbers == [truth.number for truth in site.compiled.content.truths]
    expect(page.locator("#pv-status")).to_have_text(f"{len(site.result.cards)} Karten")
    loaded = page.eval_on_selector_all("img[src]", "images => images.map(i => i.naturalWidth > 0)")
    assert loaded and all(loaded)


@pytest.mark.parametrize("kind", ["cloze", "phrasing", "scenario"])
def test_the_back_is_hidden_until_revealed(page: Page, kind: str) -> None:
    card = page.locator(f'.pv-card[data-kind="{kind}"]').first
    front, back = card.locator(".pv-front"), card.locator(".pv-back")
    expect(front).to_be_visible()
    expect(back).to_be_hidden()
    card.locator(".pv-frame").click()
    expect(back).to_be_visible()
    expect(front).to_be_hidden()
    card.focus()
    page.keyboard.press("Space")
    expect(back).to_be_hidden()
    page.keyboard.press("Enter")
    expect(back).to_be_visible()


def test_reveal_all_shows_every_back(page: Page, site: Site) -> None:
    page.click("#pv-reveal-all")
    expect(page.locator(".pv-back:visible")).to_have_count(len(site.result.cards))
    page.click("#pv-reveal-all")
    expect(page.locator(".pv-back:visible")).to_have_count(0)


def test_filters_and_search_narrow_the_list(page: Page, site: Site) -> None:
    cards = site.result.cards
    truth = next(c.truth for c in cards if c.kind == "scenario")  # a truth with scenarios to filter by
    page.select_option("#pv-truth", str(truth))
    assert visible_cards(page) == [(c.key, c.ordinal) for c in cards if c.truth == truth]
    page.select_option("#pv-kind", "scenario")
    assert visible_cards(page) == [(c.key, c.ordinal) for c in cards
                                   if c.truth == truth and c.kind == "scenario"]
    expect(page.locator(".pv-truth:visible")).to_have_count(1)
    page.select_option("#pv-truth", "")
    page.select_option("#pv-kind", "")
    page.fill("#pv-search", "vorschaumuster")
    assert visible_cards(page) == [(c.key, c.ordinal) for c in cards if "Vorschaumuster" in c.question]
    page.fill("#pv-search", cards[3].key)
    assert visible_cards(page) == [(c.key, c.ordinal) for c in cards if c.key == cards[3].key]
    page.fill("#pv-search", "gibt-es-nirgends")
    assert visible_cards(page) == []
    expect(page.locator("#pv-empty")).to_be_visible()
    expect(page.locator("#pv-status")).to_have_text(f"0 von {len(cards)} Karten")


def test_filters_survive_a_reload(page: Page, site: Site) -> None:
    page.select_option("#pv-kind", "phrasing")
    page.fill("#pv-search", "warum")
    page.reload()
    expect(page.locator("#pv-kind")).to_have_value("phrasing")
    expect(page.locator("#pv-search")).to_have_value("warum")
    assert {kind for kind in page.eval_on_selector_all(
        ".pv-card:not([hidden])", "cards => cards.map(c => c.dataset.kind)")} == {"phrasing"}


def test_night_mode_toggle_uses_the_deck_night_styles(page: Page) -> None:
    face = page.locator(".pv-front").first
    light = face.evaluate("e => getComputedStyle(e).backgroundColor")
    page.click("#pv-night")
    expect(page.locator("body")).to_have_class(re.compile(r"\bnightMode\b"))
    assert face.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(30, 31, 34)" != light
    page.reload()
    expect(page.locator("body")).to_have_class(re.compile(r"\bnightMode\b"))


def test_print_is_the_handout_one_truth_per_page(page: Page, site: Site) -> None:
    page.select_option("#pv-truth", str(site.result.cards[0].truth))  # printing ignores filters
    page.emulate_media(media="print")
    for control in ("button", "select", "input", ".pv-card"):
        expect(page.locator(f"{control}:visible")).to_have_count(0)
    truths = page.locator(".pv-truth")
    expect(truths.filter(visible=True)).to_have_count(len(site.compiled.content.truths))
    # The practice file has no core statement, and maybe no explanation: nothing empty is printed.
    expect(page.locator(".pv-truth .pv-core:visible")).to_have_count(
        sum(bool(t.core) for t in site.compiled.content.truths))
    expect(page.locator(".pv-truth .pv-explanation:visible")).to_have_count(
        sum(bool(t.explanation) for t in site.compiled.content.truths))
    with_phrasings = sum(bool(t.phrasings) for t in site.compiled.content.truths)
    expect(page.locator(".pv-phrasings:visible")).to_have_count(with_phrasings)
    assert set(truths.evaluate_all("ts => ts.map(t => getComputedStyle(t).breakBefore)")) == {"page"}
    pages = len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4")))
    calendar = bool(site.compiled.curriculum.days)  # the plan's calendar comes first, on a page of its own
    assert pages >= calendar + 1 + truths.count()
