"""The onboarding plan day by day: the calendar at the top of the preview and on the handout's first page.

A trainer hands it out on day one, so it says per day what is new (truths and number of cards) and
what the training does that day (the trainer's note), and it prints on one A4 page.
"""

from __future__ import annotations

import html

from generator.anki.curriculum import Curriculum, PlanDay

# Fixed column widths (preview.css): the row height, and so the printed page, stays predictable.
TABLE_HEAD = ('<table class="pv-calendar-table"><colgroup><col class="pv-col-day"><col class="pv-col-truths">'
              '<col class="pv-col-count"><col class="pv-col-note"></colgroup>'
              '<thead><tr><th scope="col">Tag</th><th scope="col">Wahrheiten</th>'
              '<th scope="col" class="pv-day-count">Neue Karten</th><th scope="col">Im Training</th>'
              "</tr></thead>")


def calendar_html(curriculum: Curriculum, title: str) -> str:
    """The "Lernplan" section; "" for a deck without a plan (Anki's defaults, nothing to show)."""
    if not curriculum.days:
        return ""
    rows = "\n".join(_day_row(day) for day in curriculum.days)
    return (f'<section class="pv-calendar" id="lernplan" aria-labelledby="pv-calendar-title">'
            f'<p class="pv-eyebrow">{html.escape(title)}</p>'
            f'<h2 class="pv-calendar-title" id="pv-calendar-title">Lernplan</h2>'
            f'<p class="pv-calendar-summary">{_summary(curriculum)}</p>\n'
            f"{TABLE_HEAD}\n<tbody>\n{rows}\n</tbody></table></section>")


def _summary(curriculum: Curriculum) -> str:
    days = len(curriculum.days)
    return (f"{curriculum.total} neue Karten in {days} Lerntagen · bis zu {curriculum.new_per_day} "
            "neue Karten pro Tag · Anki zeigt zusätzlich die Wiederholungen")


def _day_row(day: PlanDay) -> str:
    # The truths as one list: a day may finish one truth and start the next, and a note's later
    # sibling cards bring an earlier truth back (the plan spreads them over days).
    truths = "".join(f"<li>{html.escape(label)}</li>" for label in day.truths)
    return (f'<tr class="pv-day" data-day="{day.number}" data-cards="{len(day.cards)}">'
            f'<th scope="row" class="pv-day-number">Tag {day.number}</th>'
            f'<td><ul class="pv-day-truths">{truths}</ul></td>'
            f'<td class="pv-day-count">{len(day.cards)}</td>'
            f'<td class="pv-day-note">{html.escape(day.note)}</td></tr>')
