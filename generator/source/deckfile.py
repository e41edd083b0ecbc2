"""The deck file (deck.md) -> DeckInfo: identity, title, the description shown in Anki, the plan."""

from __future__ import annotations

from generator.errors import Diagnostic, SourceLocation, error
from generator.model import DeckInfo
from generator.rules.syntax import nesting_title
from generator.source.frontmatter import field_line
from generator.source.learningplan import parse_plan
from generator.source.markdown import KeySlot, block_source
from generator.source.parse import ParsedFile, front_matter_of, parse_blocks, plain_value
from generator.source.reading import SourceFile

DECK_FIELDS = ("key", "title", "language", "source", "plan")


def parse_deck_file(source: SourceFile) -> ParsedFile:
    diagnostics: list[Diagnostic] = []
    if not source.text.strip():
        diagnostics.append(error(SourceLocation(source.display, 1), "the deck file is empty",
                                 "write the front matter (key, title, language, source), a `# Title` "
                                 "and the deck description, see content/README.md"))
        return ParsedFile(diagnostics=tuple(diagnostics))
    blocks = parse_blocks(source, diagnostics)
    if blocks is None:
        return ParsedFile(diagnostics=tuple(diagnostics))
    front, raw = front_matter_of(blocks, source, DECK_FIELDS, diagnostics)
    if front is None:
        return ParsedFile(diagnostics=tuple(diagnostics))
    values = front.values
    for name in (name for name in ("title", "language") if not plain_value(values.get(name))):
        diagnostics.append(error(
            SourceLocation(source.display, field_line(front, raw, name)),
            f"the deck file has no `{name}`", f"add `{name}: ...` to the front matter"))
    diagnostics.extend(nesting_title(SourceLocation(source.display, field_line(front, raw, "title")),
                                     plain_value(values.get("title"))))
    slots = () if plain_value(values.get("key")) else (
        KeySlot(front.line, "", "", plain_value(values.get("title")) or "deck", front_matter=True),)
    lines = source.text.split("\n")
    body = [b for b in blocks if b.type != "front_matter"]
    if body and body[0].type == "heading" and body[0].tag == "h1":
        body = body[1:]
    description = "\n\n".join(block_source(lines, b) for b in body)
    deck = DeckInfo(
        key=plain_value(values.get("key")), title=plain_value(values.get("title")),
        language=plain_value(values.get("language")), source=plain_value(values.get("source")),
        description=description, location=SourceLocation(source.display, front.line),
        plan=parse_plan(front, raw, source.display, diagnostics),
    )
    # Returned even when incomplete (the errors stop the build) so that every truth is still validated.
    return ParsedFile(deck=deck, diagnostics=tuple(diagnostics), key_slots=slots)


