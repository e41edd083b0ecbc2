"""The parent deck's description: the release bulletin, what the deck is, its plan, how to import and
update, and which Anki versions it is tested with. Anki replaces it on every import, so it is where
learners see what changed without any other document."""

from __future__ import annotations

import html
import time

from generator.anki.curriculum import Curriculum
from generator.anki.render import RenderedDeck
from generator.model import DeckInfo
from generator.release.lock import Lock
from generator.release.withdrawn import withdrawn_search

TESTED_ANKI = "26.09"  # the `anki` package the tests import every package with (pyproject.toml)
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")
# Anki's own German labels of the import dialog and the deck options.
PRESETS = "Stapelprofile (falls enthalten) ebenfalls importieren"
PROGRESS = "Lernfortschritt (falls enthalten) ebenfalls importieren"
UPDATE_NOTES = "Notizinhalt aktualisieren: Falls neuer"
UPDATE_TYPES = "Notiztypen aktualisieren: Falls neuer"


def deck_description(info: DeckInfo, deck: RenderedDeck, lock: Lock, curriculum: Curriculum) -> str:
    parts = [bulletin(deck, lock), deck.decks[0].description, plan_summary(curriculum)]
    if info.source:
        parts.append(f"<p>Quelle: {html.escape(info.source)}</p>")
    parts += [import_guide(curriculum), SUPPORTED_CLIENTS]
    return "\n".join(p for p in parts if p)


def bulletin(deck: RenderedDeck, lock: Lock) -> str:
    """The last release in a few lines (short on a phone): version, date, what changed."""
    changes = lock.changes
    counted = ((changes.added, "neu"), (changes.changed, "geändert"), (changes.retired, "zurückgezogen"))
    counts = [f"{len(names)} {label}" for names, label in counted if names]
    lines = [f"<b>Version {lock.release}</b> vom {release_date(lock.released)}"]
    if counts:
        lines.append("Notizen: " + ", ".join(counts) + ".")
    if lock.retired:
        lines.append(f"Zurückgezogene Karten findest du mit <code>{html.escape(withdrawn_search(deck.key))}"
                     "</code> im Browser: markieren und löschen.")
    return '<div class="wk-bulletin">' + "".join(f"<p>{line}</p>" for line in lines) + "</div>"


def release_date(timestamp: int) -> str:
    moment = time.gmtime(timestamp)
    return f"{moment.tm_mday}. {MONTHS[moment.tm_mon - 1]} {moment.tm_year}"


def plan_summary(curriculum: Curriculum) -> str:
    if not curriculum.days:
        return ""
    first, last = curriculum.days[0], curriculum.days[-1]
    return (f"<p><b>Lernplan:</b> {len(curriculum.days)} Lerntage mit {curriculum.new_per_day} neuen Karten "
            f"pro Tag, von {html.escape(first.truths[0] if first.truths else '')} bis "
            f"{html.escape(last.truths[-1] if last.truths else '')}. Lerne jeden Arbeitstag im obersten "
            "Stapel; neue Karten kommen in der Reihenfolge des Plans.</p>")


def import_guide(curriculum: Curriculum) -> str:
    steps = [f"<i>{PRESETS}</i>: {'an' if curriculum.preset else 'egal (das Deck bringt keins mit)'}",
             f"<i>{PROGRESS}</i>: aus", f"<i>{UPDATE_NOTES}</i>", f"<i>{UPDATE_TYPES}</i>",
             "<i>Notiztypen zusammenführen</i>: aus"]
    guide = ["<h3>Importieren und aktualisieren</h3>",
             "<p>Die Datei <code>.apkg</code> in Anki öffnen (Desktop: <i>Datei → Importieren</i>; "
             "AnkiDroid und AnkiMobile: die Datei mit Anki öffnen bzw. teilen) und im Import-Dialog "
             "wählen, beim ersten Import und bei jedem Update:</p>",
             "<ul>" + "".join(f"<li>{step}</li>" for step in steps) + "</ul>",
             "<p>Eine neue Version genauso importieren: Der Lernstand jeder Karte bleibt erhalten, geänderte "
             "Texte kommen an, neue Karten kommen hinzu. Anki löscht beim Import nie Karten; zurückgezogene "
             "Karten zeigt die Kurzinfo oben.</p>"]
    if preset := curriculum.preset:
        guide.append(
            f"<p>Das Stapelprofil heißt „{html.escape(preset['name'])}“. Ändert sich der Plan, bringt eine "
            f"neue Version ein neues Profil mit: Es kommt nur an, wenn <i>{PRESETS}</i> beim Import an ist, "
            "und gilt nur für Karten, die noch neu sind. Wer eigene Stapeloptionen behalten will, lässt "
            "das Häkchen bei Updates weg (Anki setzt die Stapel sonst wieder auf das Profil des Decks). "
            "Ohne Profil stellst du in den Stapeloptionen des "
            f"obersten Stapels selbst ein: <i>Neue Karten/Tag</i> {curriculum.new_per_day}, "
            "<i>Lernstufen</i> 10m 1d, <i>Einsammelreihenfolge für neue Karten</i>: "
            "Positionsnummer (aufsteigend), "
            "<i>Sortierreihenfolge für neue Karten</i>: Einsammelreihenfolge, Geschwisterkarten mit Status "
            "„Wiederholung“ und „Tagesübergreifendes Lernen“ aufschieben.</p>")
    return "\n".join(guide)


SUPPORTED_CLIENTS = (
    f"<h3>Anki-Versionen</h3><p>Getestet mit Anki {TESTED_ANKI}. Ab Anki 25.02 (auch AnkiMobile und "
    "AnkiDroid, sobald sie diesen Anki-Kern enthalten; AnkiDroid übernimmt ihn oft Monate später) kommen "
    "Aktualisierungen zuverlässig an. Ältere Versionen geben aktualisierten Notizen beim Import die "
    "Importzeit als Änderungszeit, sodass eine spätere Aktualisierung übersprungen werden kann: Dort beim "
    "Aktualisieren <i>Notizinhalt aktualisieren: Immer</i> wählen.</p>")
