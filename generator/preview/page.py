"""The preview page: one self-contained HTML file with every card, the truths and the handout.

Card faces are the deck's own sanitised HTML (see preview_cards); everything else that comes
from content goes through the deck's Renderer or html.escape, never in raw.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections import Counter
from importlib.resources import files
from string import Template

from generator.anki.curriculum import Curriculum
from generator.anki.notetypes import stylesheet
from generator.anki.render import VERDICTS, Renderer
from generator.model import Content, NoteKind, PhrasingNote, Truth
from generator.preview.calendar import calendar_html
from generator.preview.cards import KIND_LABELS, PreviewCard

KIND_PLURALS: dict[NoteKind, tuple[str, str]] = {
    "cloze": ("Lückentext", "Lückentexte"), "phrasing": ("Formulierung", "Formulierungen"),
    "scenario": ("Szenario", "Szenarien"),
    "recognition": ("Welche-Wahrheit-Karte", "Welche-Wahrheit-Karten"),
}


def page_html(content: Content, cards: tuple[PreviewCard, ...], renderer: Renderer, release: int,
              curriculum: Curriculum) -> str:
    deck_css, preview_css, script = stylesheet(), _asset("preview.css"), _asset("preview.js")
    by_truth: dict[int, list[PreviewCard]] = {}
    for card in cards:
        by_truth.setdefault(card.truth, []).append(card)
    title = html.escape(content.deck.title)
    return Template(_asset("preview.html")).substitute(
        policy=_policy((deck_css, preview_css), script), title=title, release=release,
        deck_css=deck_css, preview_css=preview_css, script=script,
        summary=html.escape(_summary(content, cards)), card_count=len(cards),
        truth_options="".join(_truth_option(truth) for truth in content.truths),
        kind_options=_kind_options(cards),
        calendar=calendar_html(curriculum, content.deck.title), cover=_cover(content, renderer, title),
        truths="\n".join(_truth_section(truth, renderer, by_truth.get(truth.number, []))
                         for truth in content.truths),
    )


def _asset(name: str) -> str:
    return files("generator.preview").joinpath("assets", name).read_text(encoding="utf-8")


def _policy(styles: tuple[str, ...], script: str) -> str:
    """No network, nothing inline but our own style and script blocks (pinned by hash)."""
    style_hashes = " ".join(_hash(style) for style in styles)
    return (f"default-src 'none'; img-src 'self' data:; style-src {style_hashes}; "
            f"script-src {_hash(script)}; base-uri 'none'; form-action 'none'")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _summary(content: Content, cards: tuple[PreviewCard, ...]) -> str:
    notes = len({card.key for card in cards})
    numbered = sum(1 for truth in content.truths if truth.number and not truth.practice)  # not 0 or practice
    return f"{numbered} Wahrheiten · {notes} Notizen · {len(cards)} Karten"


def _truth_option(truth: Truth) -> str:
    name = html.escape(truth.title) if truth.practice else f"{truth.number} · {html.escape(truth.title)}"
    return f'<option value="{truth.number}">{name}</option>'


def _kind_options(cards: tuple[PreviewCard, ...]) -> str:
    # Only the kinds the deck has: most decks have no practice file, so no "Welche Wahrheit?" cards.
    counts = Counter(card.kind for card in cards)
    return "".join(f'<option value="{kind}">{plural} ({counts[kind]})</option>'
                   for kind, (_, plural) in KIND_PLURALS.items() if counts[kind])


def _counted(counts: Counter[NoteKind]) -> str:
    parts = [f"{counts[kind]} {one if counts[kind] == 1 else many}"
             for kind, (one, many) in KIND_PLURALS.items() if counts[kind]]
    return " · ".join(parts) or "keine Karten"


def _cover(content: Content, renderer: Renderer, title: str) -> str:
    deck = content.deck
    source = f"<p>Quelle: {html.escape(deck.source)}</p>" if deck.source else ""
    items = "".join(f"<li>{html.escape(truth.title)}</li>" for truth in content.truths)
    description = renderer.block(deck.description)
    return (f'<details class="pv-about"><summary>Über dieses Deck</summary>{description}{source}</details>\n'
            f'<section class="pv-cover pv-print-only"><p class="pv-eyebrow">Handout</p><h1>{title}</h1>'
            f"{source}<ol>{items}</ol></section>")


def _truth_section(truth: Truth, renderer: Renderer, cards: list[PreviewCard]) -> str:
    counts = Counter(card.kind for card in cards)
    # The practice file has no number of its own (it sorts as 100) and may have no core statement.
    eyebrow = ("Praxis über alle Wahrheiten" if truth.practice else "Einstieg" if truth.number == 0
               else f"Wahrheit {truth.number}")
    core = (f'<div class="pv-core"><p class="pv-label">Kernaussage</p><p>{renderer.inline(truth.core)}</p>'
            "</div>" if truth.core else "")
    explanation = (f'<div class="pv-explanation"><p class="pv-label">Erklärung</p>'
                   f"{renderer.block(truth.explanation)}</div>" if truth.explanation else "")
    head = (f'<p class="pv-truth-number">{eyebrow}</p>'
            f'<h2 class="pv-truth-title">{html.escape(truth.title)}</h2>'
            f"{core}{explanation}{_phrasings(truth, renderer)}"
            f'<p class="pv-truth-count">{_counted(counts)}</p>')
    body = "\n".join(_card_article(card) for card in cards)
    return (f'<section class="pv-truth" id="wahrheit-{truth.number}" data-truth="{truth.number}">\n'
            f'<header class="pv-truth-head">{head}</header>\n<div class="pv-cards">\n{body}\n</div>\n'
            "</section>")


def _phrasings(truth: Truth, renderer: Renderer) -> str:
    """The handout's example phrasings (on screen they are cards already)."""
    if not truth.phrasings:
        return ""
    items = "".join(_phrasing(note, renderer) for note in truth.phrasings)
    return (f'<div class="pv-phrasings pv-print-only"><p class="pv-label">Formulierungen</p>'
            f"<ul>{items}</ul></div>")


def _phrasing(note: PhrasingNote, renderer: Renderer) -> str:
    better = f"<p><b>Besser:</b> {renderer.inline(note.better)}</p>" if note.better else ""
    return (f'<li class="pv-phrasing pv-{note.verdict}"><p><span class="pv-verdict">'
            f"{VERDICTS[note.verdict]}:</span> {renderer.inline(note.phrase)}</p>"
            f"<p><b>Warum:</b> {renderer.inline(note.reason)}</p>{better}</li>")


def _card_article(card: PreviewCard) -> str:
    kind = KIND_LABELS[card.kind]
    label = f'<span class="pv-card-label">{card.label}</span>' if card.label else ""
    names = f"{kind}, {card.label}" if card.label else kind
    face = f"card card{card.ordinal + 1} pv-face"
    return (f'<article class="pv-card" tabindex="0" data-truth="{card.truth}" data-kind="{card.kind}" '
            f'data-key="{html.escape(card.key)}" data-ord="{card.ordinal}" aria-label="{names}">'
            f'<div class="pv-card-head"><span class="pv-kind" data-kind="{card.kind}">{kind}</span>{label}'
            f'<span class="pv-ref"><code>{html.escape(card.key)}</code> · '
            f"{html.escape(str(card.location))}</span></div>"
            f'<div class="pv-frame"><div class="{face} pv-front">{card.question}</div>'
            f'<div class="{face} pv-back" hidden>{card.answer}</div></div>'
            '<div class="pv-card-foot"><button type="button" class="pv-flip" aria-expanded="false">'
            "Antwort zeigen</button></div></article>")
