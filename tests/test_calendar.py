"""The onboarding plan's calendar in the preview and on the handout's first page (issue 14), built with the
real pipeline from a copy of the default content with a plan in its deck file."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from generator import pipeline
from generator.ids import write_missing_keys
from generator.preview.site import PreviewResult, write_preview
from generator.source.learningplan import MAX_NOTE

DEFAULT_CONTENT = Path(__file__).resolve().parent.parent / "content"
TEN_DAYS = {1: "Einstieg im Team: Was erwartet ihr vom Vertrieb?", 5: "Rollenspiel Einwände",
            10: "Abschluss: kombinierte Szenarien & <Fragen> in Gruppen"}
# The longest note a deck file allows, on every day of the longest plan the handout promises one page for.
LONGEST_NOTE = ("Rollenspiel zu zweit: Einwand zum Preis aufnehmen, nachfragen, mit einer Idee statt "
                "Widerspruch antworten; Rollentausch.")
FIFTEEN_DAYS = dict.fromkeys(range(1, 16), LONGEST_NOTE)
ROW = re.compile(r'<tr class="pv-day" data-day="(\d+)" data-cards="(\d+)">(.*?)</tr>', re.DOTALL)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.DOTALL)
PLAN = re.compile(r"^plan:.*\n(?:[ \t]+.*\n)*", re.MULTILINE)  # the deck file's own plan, if it has one
PDF_PAGE = re.compile(rb"/Type\s*/Page[^s]")

Preview = tuple[pipeline.Compiled, PreviewResult]


def planned_content(target: Path, days: int | None, notes: dict[int, str]) -> Path:
    """A copy of the default content whose deck file has this plan instead of its own (no plan if days is
    None)."""
    shutil.copytree(DEFAULT_CONTENT, target, ignore=shutil.ignore_patterns("*.lock"))
    deck = target / "deck.md"
    text = PLAN.sub("", deck.read_text(encoding="utf-8"), count=1)
    if days is not None:
        lines = "".join(f"    {day}: {json.dumps(note, ensure_ascii=False)}\n" for day, note in notes.items())
        plan = f"plan:\n  days: {days}\n" + (f"  notes:\n{lines}" if lines else "")
        assert text.startswith("---\n")  # so the first "\n---\n" closes the front matter
        text = text.replace("\n---\n", f"\n{plan}---\n", 1)
    deck.write_text(text, encoding="utf-8")
    write_missing_keys(target)
    return target


def preview_of(folder: Path, days: int | None, notes: dict[int, str]) -> Preview:
    compiled = pipeline.compile_content(planned_content(folder / "content", days, notes), now=1_800_000_000)
    return compiled, write_preview(compiled, folder / "site")


@pytest.fixture(scope="module")
def ten_days(tmp_path_factory: pytest.TempPathFactory) -> Preview:
    return preview_of(tmp_path_factory.mktemp("ten-days"), 10, TEN_DAYS)


@pytest.fixture(scope="module")
def fifteen_days(tmp_path_factory: pytest.TempPathFactory) -> Preview:
    return preview_of(tmp_path_factory.mktemp("fifteen-days"), 15, FIFTEEN_DAYS)


def text_of(cell: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())


# The page as written ------------------------------------------------------------------------

def test_the_calendar_has_a_row_per_day_with_the_plans_cards_and_notes(ten_days: Preview) -> None:
    compiled, result = ten_days
    page, curriculum = result.index.read_text(encoding="utf-8"), compiled.curriculum
    rows = ROW.findall(page)
    assert [int(day) for day, _, _ in rows] == list(range(1, 11))
    assert [day.number for day in curriculum.days] == list(range(1, 11))
    counts = []
    for (day, cards, cells), planned in zip(rows, curriculum.days, strict=True):
        name, _, count, note = (text_of(cell) for cell in CELL.findall(cells))
        assert name == f"Tag {day}"
        assert int(cards) == int(count) == len(planned.cards) <= curriculum.new_per_day
        labels = [html.unescape(label) for label in re.findall(r"<li>(.*?)</li>", cells)]
        assert labels == list(planned.truths)
        assert note == TEN_DAYS.get(int(day), "")
        counts.append(int(count))
    assert sum(counts) == curriculum.total == len(result.cards)  # every card of the deck has its day
    first_seen = dict.fromkeys(label for day in curriculum.days for label in day.truths)
    assert list(first_seen) == [truth.label for truth in compiled.content.truths]  # truth after truth
    assert (f"{curriculum.total} neue Karten in 10 Lerntagen · bis zu {curriculum.new_per_day} neue Karten "
            "pro Tag") in page


def test_the_calendar_opens_the_page_and_its_notes_are_text(ten_days: Preview) -> None:
    page = ten_days[1].index.read_text(encoding="utf-8")
    main = page[page.index('<main class="pv-main">'):]
    assert main.index('class="pv-calendar"') < main.index('class="pv-about"') < main.index('class="pv-truth"')
    assert "Abschluss: kombinierte Szenarien &amp; &lt;Fragen&gt; in Gruppen" in page
    assert "<Fragen>" not in page


def test_no_plan_no_calendar(tmp_path: Path) -> None:
    compiled, result = preview_of(tmp_path, None, {})
    page = result.index.read_text(encoding="utf-8")
    assert compiled.curriculum.days == ()
    assert 'class="pv-calendar' not in page and ">Lernplan<" not in page and 'class="pv-day"' not in page


# In the browser -----------------------------------------------------------------------------

@pytest.fixture
def open_preview(browser: Browser) -> Iterator[Callable[[PreviewResult], Page]]:
    """Opens a preview from disk; after the test: no script errors."""
    context = browser.new_context(color_scheme="light")
    problems: list[str] = []

    def open_page(result: PreviewResult) -> Page:
        page = context.new_page()
        page.set_default_timeout(5_000)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(result.index.as_uri())
        return page

    yield open_page
    context.close()
    assert problems == []


def test_the_calendar_renders_one_row_per_day(open_preview: Callable[[PreviewResult], Page],
                                              ten_days: Preview) -> None:
    compiled, result = ten_days
    page = open_preview(result)
    expect(page.locator(".pv-calendar")).to_be_visible()
    rows = page.locator(".pv-calendar tbody tr")
    expect(rows).to_have_count(len(compiled.curriculum.days))
    for index, day in enumerate(compiled.curriculum.days):
        row = rows.nth(index)
        expect(row).to_be_visible()
        expect(row.locator("th")).to_have_text(f"Tag {day.number}")
        expect(row.locator(".pv-day-count")).to_have_text(str(len(day.cards)))
        expect(row.locator(".pv-day-truths li")).to_have_count(len(day.truths))
    page.select_option("#pv-truth", str(compiled.content.truths[-1].number))
    expect(page.locator(".pv-calendar")).to_be_visible()  # filters narrow the cards, not the plan


def printed_pages(page: Page) -> int:
    return len(PDF_PAGE.findall(page.pdf(format="A4", prefer_css_page_size=True)))


def test_the_calendar_prints_whole_on_the_first_a4_page(open_preview: Callable[[PreviewResult], Page],
                                                         fifteen_days: Preview) -> None:
    assert len(LONGEST_NOTE) == MAX_NOTE  # else this checks less than the worst case
    compiled, result = fifteen_days
    assert len(compiled.curriculum.days) == 15
    page = open_preview(result)
    page.emulate_media(media="print")
    calendar = page.locator(".pv-calendar")
    expect(calendar).to_be_visible()
    expect(page.locator(".pv-calendar tbody tr:visible")).to_have_count(15)
    expect(page.locator(".pv-day-note", has_text=LONGEST_NOTE)).to_have_count(15)
    # First on the first page: nothing printed above it, and the rest of the handout starts on a new page.
    assert calendar.evaluate("e => e.getBoundingClientRect().top") < 1
    assert calendar.evaluate("e => getComputedStyle(e).breakAfter") == "page"
    page.evaluate("() => document.querySelectorAll('.pv-main > :not(.pv-calendar)').forEach(e => e.remove())")
    assert printed_pages(page) == 1
    # The count sees a spill: the same calendar with twice the days needs a second page.
    page.evaluate("() => { const body = document.querySelector('.pv-calendar tbody');"
                  " Array.from(body.rows).forEach(row => body.append(row.cloneNode(true))); }")
    assert printed_pages(page) == 2
