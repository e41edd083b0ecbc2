"""Deterministic synthetic content in the project's format, and the same notes as plain fields for the floor.

Every note is generated twice from one random draw: as Markdown for the content folder and
as the card fields the compiler renders from it (the text is kept to what needs no escaping:
words, umlauts, German quotes, `**bold**` and `*italic*`). The benchmark checks that the
floor's notes and the build's notes are the same, field by field.

Layout: at most 99 truths (`number` is 1 to 99), about 9 notes per truth as in the real
content while that fits (up to ~900 notes), then more notes per file: 10,000 notes are
99 files of ~101 notes, 50,000 notes 99 files of ~505 notes (~250 KB each, the limit is
1 MB). Notes come in the real content's mix: per 9 notes 3 cloze, 4 phrasing, 2 scenario.
"""

from __future__ import annotations

import html
import json
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki

from generator.anki.notetypes import NOTE_TYPES, deck_id, note_guid, stylesheet

DECK_KEY = "synth-wahrheiten"
DECK_TITLE = "Synthetische Wahrheiten über Kundenbeziehungen"
MAX_TRUTHS = 99
NOTES_PER_TRUTH = 9
KIND_PATTERN = "cccppppss"  # the real content's mix, per truth: 3 cloze, 4 phrasing, 2 scenario
KIND_TAGS = {"cloze": "lueckentext", "phrasing": "formulierung", "scenario": "szenario"}

SUBJECTS = ("Der Kunde", "Die Beraterin", "Der Berater", "Die Kundin", "Das Gespräch", "Die Filialleiterin",
            "Der Geschäftsführer", "Die Verkäuferin", "Der Händler", "Die Ärztin", "Der Bäcker")
VERBS = ("schätzt", "prüft", "übernimmt", "begründet", "erklärt", "hört", "fördert", "verändert", "würdigt",
         "berücksichtigt", "bemerkt", "vergisst", "überschätzt", "bevorzugt", "hinterfragt", "erwähnt")
ADVERBS = ("ehrlich", "früh", "gründlich", "persönlich", "spürbar", "schnell", "ausführlich", "höflich",
           "selbstverständlich", "überraschend", "ungern", "offen", "rückblickend", "später", "zögerlich")
OBJECTS = ("die Lösung", "das Angebot", "die Empfehlung", "den Abschluss", "die Größe des Depots",
           "das Verständnis", "den Vorschlag", "die Rückfrage", "den Mehrwert", "die Glaubwürdigkeit",
           "die Gebühren", "das Gefühl", "den Termin", "die Wünsche", "das Schweigen", "die Übersicht")
ANSWERS = ("Herdentrieb", "Selbstanspruch", "Zuverlässigkeit", "Wertschätzung", "Bedürfnis", "Vertrauen",
           "Höflichkeit", "Menschenkenntnis", "Geduld", "Neugier", "Erwartung", "Einwand", "Bürgschaft",
           "Zinsänderung", "Tilgung", "Sicherheit", "Anerkennung", "Mut", "Klarheit", "Gelassenheit",
           "Fürsorge", "Stolz", "Gründlichkeit", "Loyalität", "Rückgrat", "Zuhören", "Dankbarkeit")
TITLES = ("Einsatz", "Wert", "Nutzen", "Kundenorientierung", "Bedürfnisse", "Menschenkenntnis",
          "Vertrauen", "Preis", "Einwände", "Höflichkeit", "Fragen", "Erwartungen", "Größe", "Geduld")
PLACES = ("Beratungsgespräch in der Filiale.", "Telefonat mit einem Geschäftskunden.",
          "Elektronikfachmarkt am Samstagvormittag.", "Jahresgespräch beim Steuerbüro.",
          "Messestand, kurz vor Feierabend.", "Hausbesuch bei einem älteren Ehepaar.")


@dataclass(frozen=True)
class SynthNote:
    kind: str
    key: str
    markdown: str  # the note as it stands in its section, key comment included
    fields: tuple[str, ...]  # what the compiler renders from it, in note type order


@dataclass(frozen=True)
class SynthTruth:
    key: str
    number: int
    title: str
    core: str
    explanation: str
    notes: tuple[SynthNote, ...]


def inline_html(markdown: str) -> str:
    """The HTML the compiler renders for the small Markdown subset used here."""
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", markdown)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", text)


class Writer:
    """Draws German-like sentences from a seeded generator; same seed, same text."""

    def __init__(self, seed: str) -> None:
        self.random = random.Random(seed)
        self.keys: set[str] = set()
        self.drawn = 0  # numbers headings: no two scenarios share a title (Anki would see duplicates)
        self.firsts: set[str] = set()  # first fields drawn so far: each note's is new

    def unique(self, draw: Callable[[], str]) -> str:
        while (text := draw()) in self.firsts:
            pass
        self.firsts.add(text)
        return text

    def sentence(self, emphasis: bool = False) -> str:
        r = self.random
        adverb = r.choice(ADVERBS)
        if emphasis and r.random() < 0.3:
            adverb = f"*{adverb}*"
        main = f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {adverb} {r.choice(OBJECTS)}"
        if r.random() < 0.6:
            subject = r.choice(SUBJECTS)
            main += f", weil {subject[0].lower()}{subject[1:]} {r.choice(OBJECTS)} {r.choice(VERBS)}"
        return main + "."

    def quote(self) -> str:
        return f"„{self.sentence()[:-1]}, {self.random.choice(ADVERBS)}.“"

    def key(self, prefix: str) -> str:
        while True:
            suffix = "".join(self.random.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(6))
            key = f"{prefix}-{suffix}"
            if key not in self.keys:
                self.keys.add(key)
                return key

    def cloze(self, title: str) -> str:
        """A sentence with 1 to 3 gaps whose answers are not visible on any card's front."""
        r = self.random
        allowed = [a for a in ANSWERS if a.casefold() not in title.casefold()]
        answers = r.sample(allowed, r.choice((1, 1, 2, 3)))
        gaps = [f"{{{{c{n}::{answer}}}}}" for n, answer in enumerate(answers, 1)]
        head = self.sentence()[:-1]
        if r.random() < 0.2:
            head = head.replace(" ", " **", 1) + "**"
        text = f"{head}, denn es zählt {' und '.join(gaps)}."
        fronts = [f"{text.replace(gap, '')} {title}".casefold() for gap in gaps]
        if any(answer.casefold() in front for answer, front in zip(answers, fronts, strict=True)):
            return self.cloze(title)
        return text


def truths(notes: int) -> list[SynthTruth]:
    count = max(1, min(MAX_TRUTHS, math.ceil(notes / NOTES_PER_TRUTH)))
    writer = Writer(f"wahrheiten-{notes}")
    sizes = [notes // count + (1 if i < notes % count else 0) for i in range(count)]
    return [_truth(writer, number, size) for number, size in enumerate(sizes, 1)]


def _truth(writer: Writer, number: int, size: int) -> SynthTruth:
    title = f"{writer.random.choice(TITLES)} {number}"
    key = f"wahrheit-{number:02d}"
    core = writer.sentence()
    explanation = " ".join(writer.sentence(emphasis=True) for _ in range(writer.random.randint(3, 6)))
    label = html.escape(f"Wahrheit {number}: {title}")
    kinds = sorted((KIND_PATTERN[i % len(KIND_PATTERN)] for i in range(size)), key="cps".index)
    makers = {"c": _cloze, "p": _phrasing, "s": _scenario}
    shared = (inline_html(core), label)
    notes = tuple(makers[kind](writer, key, title, shared) for kind in kinds)
    return SynthTruth(key, number, title, core, explanation, notes)


def _cloze(writer: Writer, prefix: str, title: str, shared: tuple[str, str]) -> SynthNote:
    text, key = writer.unique(lambda: writer.cloze(title)), writer.key(prefix)
    return SynthNote("cloze", key, f"- {text}\n  <!-- key: {key} -->",
                     (inline_html(text), *shared, key))


def _phrasing(writer: Writer, prefix: str, title: str, shared: tuple[str, str]) -> SynthNote:
    say = writer.random.random() < 0.5
    phrase, reason, key = writer.unique(writer.quote), writer.sentence(emphasis=True), writer.key(prefix)
    better = "" if say else writer.quote()
    lines = [f"- **{'Sagen' if say else 'Vermeiden'}:** {phrase}", f"  **Warum:** {reason}"]
    lines += [f"  **Besser:** {better}"] if better else []
    fields = (inline_html(phrase), "Sagen" if say else "Vermeiden", inline_html(reason),
              inline_html(better), *shared, key)
    return SynthNote("phrasing", key, "\n".join([*lines, f"  <!-- key: {key} -->"]), fields)


def _scenario(writer: Writer, prefix: str, title: str, shared: tuple[str, str]) -> SynthNote:
    r = writer.random
    writer.drawn += 1
    heading = f"{r.choice(('Der', 'Die'))} {r.choice(ANSWERS)}-Frage {writer.drawn}"
    situation = f"{r.choice(PLACES)} {writer.sentence()} {writer.sentence(emphasis=True)}"
    customer, reaction = writer.quote(), f"{writer.quote()} {writer.quote()}"
    why = f"{writer.sentence(emphasis=True)} {writer.sentence()}"
    wrong = f"{writer.quote()} {writer.sentence()}"
    key = writer.key(prefix)
    values = [("Situation", situation), ("Kunde", customer), ("Reaktion", reaction), ("Warum", why),
              ("Verlockend, aber falsch", wrong)]
    parts = [f"### {heading}\n<!-- key: {key} -->"] + [f"**{label}:** {value}" for label, value in values]
    choices, solution = "", ""
    if r.random() < 0.75:
        options = [writer.quote() for _ in range(3)]
        correct = r.randrange(3)
        parts.append("**Auswahl:**")
        parts.append("\n".join(f"- [{'x' if i == correct else ' '}] {o}" for i, o in enumerate(options)))
        choices = "<ol>" + "".join(f"<li>{inline_html(o)}</li>" for o in options) + "</ol>"
        solution = f"{'ABC'[correct]}) {inline_html(options[correct])}"
    fields = (inline_html(heading), inline_html(situation), inline_html(customer), choices, solution,
              inline_html(reaction), inline_html(why), inline_html(wrong), *shared, key)
    return SynthNote("scenario", key, "\n\n".join(parts), fields)


def truth_markdown(truth: SynthTruth) -> str:
    sections = {"Lückentexte": "cloze", "Formulierungen": "phrasing", "Szenarien": "scenario"}
    parts = [f"---\nkey: {truth.key}\nnumber: {truth.number}\n---", f"# {truth.title}",
             "## Kernaussage", truth.core, "## Erklärung", truth.explanation]
    for name, kind in sections.items():
        notes = [n.markdown for n in truth.notes if n.kind == kind]
        if notes:
            parts += [f"## {name}", ("\n\n" if kind == "scenario" else "\n").join(notes)]
    return "\n\n".join(parts) + "\n"


DECK_MARKDOWN = f"""---
key: {DECK_KEY}
title: {DECK_TITLE}
language: de
source: Synthetischer Inhalt für die Leistungsmessung
---

# {DECK_TITLE}

Erzeugter Inhalt im Format des Projekts: Lückentexte, Formulierungen und Szenarien.
"""


def write_content(folder: Path, notes: int) -> dict[str, Any]:
    """Write deck.md and the truth files into `folder`; returns the floor's data (the same notes)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deck.md").write_text(DECK_MARKDOWN, encoding="utf-8")
    generated = truths(notes)
    for truth in generated:
        (folder / f"{truth.number:02d}-{truth.key}.md").write_text(truth_markdown(truth), encoding="utf-8")
    floor_notes = [
        [note.kind, note_guid(DECK_KEY, note.key), list(note.fields),
         [f"{DECK_KEY}::wahrheit::{truth.number:02d}-{truth.key}",
          f"{DECK_KEY}::art::{KIND_TAGS[note.kind]}"],
         deck_id(DECK_KEY, truth.key)]
        for truth in generated for note in truth.notes
    ]
    decks = [[deck_id(DECK_KEY), DECK_TITLE]] + [
        [deck_id(DECK_KEY, t.key), f"{DECK_TITLE}::{t.number:02d} {t.title}"] for t in generated]
    return floor_data(decks, floor_notes)


def floor_data(decks: list[list[Any]], notes: list[list[Any]]) -> dict[str, Any]:
    """The floor script's input: note types as genanki wants them, decks, and the notes' fields."""
    css = stylesheet()
    models = {
        kind: {"model_id": t.id, "name": t.name, "css": css, "fields": [{"name": f} for f in t.fields],
               "templates": [{"name": n, "qfmt": q, "afmt": a} for n, q, a in t.template_html()],
               "model_type": genanki.Model.CLOZE if t.is_cloze else genanki.Model.FRONT_BACK}
        for kind, t in NOTE_TYPES.items()}
    return {"models": models, "decks": decks, "notes": notes}


def write_floor_data(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
