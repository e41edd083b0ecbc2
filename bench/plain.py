"""The plain reference: the same Markdown parsed with markdown-it, the same notes written with genanki.

Usage: python bench/plain.py CONTENT_DIR OUTPUT.apkg. What a short script would do: read every truth
file, walk markdown-it's tokens for the notes (cloze items, phrasings, scenarios, practice notes), render
each field
with markdown-it and write one deck per truth with the generator's note types. No checks, no cache,
no lock, no release notes, no sanitising: the work any build of this content cannot avoid.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import genanki
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.anki.notetypes import NOTE_TYPES, deck_id, note_guid, stylesheet
from generator.source.notefields import SECTORS

KEY = re.compile(r"<!--\s*key:\s*(.*?)\s*-->")
LABEL = re.compile(r"^\*\*(.+?):\*\*\s*(.*)$")
CHOICE = re.compile(r"^\[([ xX])\]\s+(.*)$", re.DOTALL)
KIND_TAGS = {"cloze": "lueckentext", "phrasing": "formulierung", "scenario": "szenario",
             "recognition": "welche-wahrheit"}
TIMESTAMP = 1_800_000_000

md = MarkdownIt("commonmark").use(front_matter_plugin)


def inline(text: str) -> str:
    return md.renderInline(text).replace("\n", " ")


def labelled(text: str) -> dict[str, str]:
    """`**Label:** value` lines; a line without a label continues the value before it."""
    values: dict[str, str] = {}
    current = ""
    for line in text.split("\n"):
        match = LABEL.match(line)
        if match:
            current = match.group(1)
            values[current] = match.group(2).strip()
        elif current:
            values[current] = f"{values[current]} {line.strip()}".strip()
    return values


def items(tokens: list[Token]) -> list[tuple[str, str]]:
    """The list items of a section as (text without key comment, key)."""
    found: list[tuple[str, str]] = []
    depth, parts, key = 0, [], ""
    for token in tokens:
        if token.type == "list_item_open":
            depth += 1
            parts, key = [], ""
        elif token.type == "list_item_close":
            depth -= 1
            found.append(("\n".join(p for p in parts if p), key))
        elif depth and token.type in ("inline", "html_block"):
            match = KEY.search(token.content)
            key = match.group(1) if match else key
            parts.append(KEY.sub("", token.content).strip())
    return found


def scenarios(tokens: list[Token]) -> list[tuple[str, str, dict[str, str], list[tuple[str, bool]]]]:
    """(title, key, labelled values, choices) of every `###` scenario."""
    found: list[tuple[str, str, dict[str, str], list[tuple[str, bool]]]] = []
    in_list = False
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            found.append((tokens[index + 1].content.strip(), "", {}, []))
        elif not found:
            continue
        elif token.type == "html_block" and (match := KEY.search(token.content)):
            title, _, values, choices = found[-1]
            found[-1] = (title, match.group(1), values, choices)
        elif token.type in ("bullet_list_open", "bullet_list_close"):
            in_list = token.type == "bullet_list_open"
        elif token.type == "inline" and in_list:
            choice = CHOICE.match(token.content)
            if choice:
                found[-1][3].append((choice.group(2).strip(), choice.group(1) != " "))
        elif token.type == "inline":
            found[-1][2].update(labelled(token.content))
    return found


def sections(tokens: list[Token]) -> tuple[dict[str, object], str, dict[str, list[Token]]]:
    """Front matter, title (H1) and the tokens of each H2 section, headings left out."""
    front: dict[str, object] = {}
    title, parts = "", {}
    current: list[Token] | None = None
    heading_end = -1
    for index, token in enumerate(tokens):
        if index <= heading_end:
            continue
        if token.type == "front_matter":
            front = yaml.safe_load(token.content) or {}
        elif token.type == "heading_open" and token.tag in ("h1", "h2"):
            text, heading_end = tokens[index + 1].content.strip(), index + 2
            if token.tag == "h1":
                title, current = title or text, None
            else:
                current = parts[text] = []
        elif current is not None:
            current.append(token)
    return front, title, parts


def text_of(tokens: list[Token], joiner: str) -> str:
    return joiner.join(t.content.strip() for t in tokens if t.type == "inline")


Parsed = tuple[dict[str, object], str, dict[str, list[Token]]]  # front matter, title, sections


def truth_notes(models: dict[str, genanki.Model], deck_key: str, deck_title: str, parsed: Parsed,
                catalog: dict[int, tuple[str, str, str]]) -> tuple[int, genanki.Deck]:
    """One truth's deck; `catalog` (number -> key, title, core) names the truths of practice notes."""
    front, title, parts = parsed
    practice = front.get("practice") is True
    number, key = int(front.get("number", 100)), str(front["key"])  # type: ignore[call-overload]
    core = text_of(parts.get("Kernaussage", []), " ")
    explanation = text_of(parts.get("Erklärung", []), "\n\n")
    name = title if practice else f"{number:02d} {title}"
    deck = genanki.Deck(deck_id(deck_key, key), f"{deck_title}::{name}",
                        md.render(f"**{core}**\n\n{explanation}" if core else explanation).strip())
    truth_tag = f"{deck_key}::praxis" if practice else f"{deck_key}::wahrheit::{number:02d}-{key}"

    def add(kind: str, note_key: str, fields: tuple[str, ...], values: dict[str, str] | None = None,
            named: list[int] | None = None) -> None:
        truths = [catalog[n] for n in named or []]
        shared = ("".join(f"<p>{inline(c)}</p>" for _, _, c in truths),
                  html.escape(", ".join(t for _, t, _ in truths))) if named else (
                      inline(core), html.escape(f"Wahrheit {number}: {title}"))
        sectors = [f"{deck_key}::branche::{SECTORS[s.strip()]}"
                   for s in (values or {}).get("Branche", "").split(",") if s.strip()]
        named_tags = [f"{deck_key}::wahrheit::{other:02d}-{other_key}"
                      for other, (other_key, _, _) in zip(named or [], truths, strict=True)]
        tags = [truth_tag, *named_tags, f"{deck_key}::art::{KIND_TAGS[kind]}", *sectors]
        deck.add_note(genanki.Note(model=models[kind], fields=[*fields, *shared, note_key], tags=tags,
                                   guid=note_guid(deck_key, note_key)))

    for text, note_key in items(parts.get("Lückentexte", [])):
        add("cloze", note_key, (inline(text),))
    for text, note_key in items(parts.get("Formulierungen", [])):
        values = labelled(text)
        verdict = "Sagen" if "Sagen" in values else "Vermeiden"
        add("phrasing", note_key, (inline(values[verdict]), verdict, inline(values.get("Warum", "")),
                                   inline(values.get("Besser", ""))), values)
    for heading, note_key, values, _ in scenarios(parts.get("Welche Wahrheit?", [])):
        add("recognition", note_key, (inline(heading), inline(values.get("Situation", "")),
                                      inline(values.get("Warum", "")),
                                      inline(values.get("Verlockend, aber falsch", ""))),
            values, [int(values["Wahrheit"])])
    for section in ("Szenarien", "Kombinierte Szenarien"):
        for heading, note_key, values, choices in scenarios(parts.get(section, [])):
            listed, solution = "", ""
            if choices:
                listed = "<ol>" + "".join(f"<li>{inline(text)}</li>" for text, _ in choices) + "</ol>"
                letter, correct = next((chr(65 + i), text) for i, (text, right) in enumerate(choices)
                                       if right)
                solution = f"{letter}) {inline(correct)}"
            named = [int(n) for n in values["Wahrheiten"].split(",")] if "Wahrheiten" in values else None
            add("scenario", note_key, (inline(heading), inline(values.get("Situation", "")),
                                       inline(values.get("Kunde", "")), listed, solution,
                                       inline(values.get("Reaktion", "")), inline(values.get("Warum", "")),
                                       inline(values.get("Verlockend, aber falsch", ""))), values, named)
    return number, deck


def main(content: Path, output: Path) -> None:
    css = stylesheet()
    models = {kind: genanki.Model(
        t.id, t.name, fields=[{"name": f} for f in t.fields], css=css,
        templates=[{"name": n, "qfmt": q, "afmt": a} for n, q, a in t.template_html()],
        model_type=genanki.Model.CLOZE if t.is_cloze else genanki.Model.FRONT_BACK)
        for kind, t in NOTE_TYPES.items()}
    tokens = md.parse((content / "deck.md").read_text(encoding="utf-8"))
    deck_front, _, _ = sections(tokens)
    deck_key, deck_title = str(deck_front["key"]), str(deck_front["title"])
    parent = genanki.Deck(deck_id(deck_key), deck_title, md.renderer.render(tokens, md.options, {}))
    parsed = [sections(md.parse(path.read_text(encoding="utf-8"))) for path in sorted(content.glob("*.md"))
              if path.name not in ("deck.md", "README.md")]
    catalog = {int(front["number"]): (str(front["key"]), title, text_of(parts.get("Kernaussage", []), " "))  # type: ignore[call-overload]
               for front, title, parts in parsed if "number" in front}
    truths = sorted((truth_notes(models, deck_key, deck_title, one, catalog) for one in parsed),
                    key=lambda truth: truth[0])
    decks = [parent, *(deck for _, deck in truths)]
    due = 0
    for deck in decks:
        for note in deck.notes:
            note.due, due = due, due + 1
    output.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(decks).write_to_file(str(output), timestamp=TIMESTAMP)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
