"""The release bulletin at the top of the deck description: what learners see in Anki after an update.
It must stay short on a phone: at most 8 lines at 360 px, measured in Chromium."""

from __future__ import annotations

from playwright.sync_api import Browser

from generator import pipeline

PHONE = {"width": 360, "height": 740}
MAX_LINES = 8


def test_the_bulletin_says_version_date_and_changes(default_build: pipeline.BuildResult) -> None:
    compiled = default_build.compiled
    changes = compiled.lock.changes
    head = compiled.description.split("</div>", 1)[0]
    assert head.startswith('<div class="wk-bulletin">')
    assert f"Version {compiled.lock.release}</b> vom " in head
    assert f"{len(changes.added)} neu" in head and f"{len(changes.changed)} geändert" in head
    assert f"{len(changes.retired)} zurückgezogen" in head
    assert f"tag:{compiled.deck.key}::zurueckgezogen" in head


def test_the_bulletin_fits_eight_lines_on_a_phone(browser: Browser,
                                                  default_build: pipeline.BuildResult) -> None:
    page = browser.new_page(viewport=PHONE)
    description = default_build.compiled.description
    page.set_content(f'<body style="margin:8px;font:16px sans-serif">{description}</body>')
    height, line = page.evaluate("""() => {
        const bulletin = document.querySelector('.wk-bulletin');
        const probe = document.createElement('p'); probe.textContent = 'x';
        bulletin.appendChild(probe);
        const line = probe.getBoundingClientRect().height; probe.remove();
        const paragraphs = [...bulletin.querySelectorAll('p')];
        const height = paragraphs.reduce((sum, p) => sum + p.getBoundingClientRect().height, 0);
        return [height, line];
    }""")
    page.close()
    assert line > 0 and height / line <= MAX_LINES, f"{height / line:.1f} lines"
