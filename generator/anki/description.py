"""The parent deck's description: what the deck is, its source, its version, how to import and update."""

from __future__ import annotations

import html

from generator.anki.render import RenderedDeck
from generator.model import DeckInfo

IMPORT_GUIDE = """
<h3>Importieren</h3>
<p>Die Datei <code>.apkg</code> in Anki öffnen (Desktop: <i>Datei → Importieren</i>;
AnkiDroid und AnkiMobile: die Datei mit Anki öffnen bzw. teilen).</p>
<h3>Aktualisieren, ohne Lernstand zu verlieren</h3>
<p>Eine neue Version einfach erneut importieren. Dabei die Standard-Einstellungen lassen:
<i>Notizen aktualisieren: wenn neuer</i> und <i>Notiztypen aktualisieren: wenn neuer</i>.
Der Lernstand jeder Karte bleibt erhalten, geänderte Texte kommen an, neue Karten kommen hinzu.</p>
<p>Anki löscht beim Import nie Karten. Entfernte Karten stehen in den Versionshinweisen
mit einer Suche (z. B. <code>Schlüssel:einsatz-3kq9zt</code>), mit der man sie im Browser findet
und löscht.</p>
""".strip()


def deck_description(info: DeckInfo, deck: RenderedDeck, release: int) -> str:
    parts = [deck.decks[0].description, f"<p><b>Version {release}</b></p>"]
    if info.source:
        parts.append(f"<p>Quelle: {html.escape(info.source)}</p>")
    parts.append(IMPORT_GUIDE)
    return "\n".join(p for p in parts if p)
