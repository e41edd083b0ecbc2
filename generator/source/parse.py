"""Markdown content files -> Truth and DeckInfo objects with source lines (one MarkdownIt, tree walk)."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches

from generator.errors import Diagnostic, SourceLocation, error
from generator.model import DeckInfo, Truth
from generator.rules.markup import is_comment, markup_diagnostics
from generator.rules.notes import too_long
from generator.rules.syntax import code_blocks, line_problems, nesting_problem, nesting_title
from generator.source.frontmatter import FrontMatter, field_line, missing_front_matter, parse_front_matter
from generator.source.markdown import (
    Block,
    KeySlot,
    block_source,
    heading_text,
    line_of,
    markdown,
    read_blocks,
    section_lines,
)
from generator.source.notefields import NoteBuilder, orphaned_keys
from generator.source.reading import SourceFile

SECTIONS = ("Kernaussage", "Erklärung", "Lückentexte", "Formulierungen", "Szenarien")
TRUTH_FIELDS = ("key", "number")
DECK_FIELDS = ("key", "title", "language", "source")


@dataclass(frozen=True)
class ParsedFile:
    truth: Truth | None = None
    deck: DeckInfo | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    key_slots: tuple[KeySlot, ...] = ()
    key_problems: tuple[Diagnostic, ...] = ()  # key comments no note took: `ids` must not add keys then


@dataclass
class _Section:
    name: str
    line: int
    blocks: list[Block] = field(default_factory=list)


def parse_deck_file(source: SourceFile) -> ParsedFile:
    diagnostics: list[Diagnostic] = []
    if not source.text.strip():
        diagnostics.append(error(SourceLocation(source.display, 1), "the deck file is empty",
                                 "write the front matter (key, title, language, source), a `# Title` "
                                 "and the deck description, see content/README.md"))
        return ParsedFile(diagnostics=tuple(diagnostics))
    blocks = _parse(source, diagnostics)
    if blocks is None:
        return ParsedFile(diagnostics=tuple(diagnostics))
    front, raw = _front_matter(blocks, source, DECK_FIELDS, diagnostics)
    if front is None:
        return ParsedFile(diagnostics=tuple(diagnostics))
    values = front.values
    for name in (name for name in ("title", "language") if not _text(values.get(name))):
        diagnostics.append(error(
            SourceLocation(source.display, field_line(front, raw, name)),
            f"the deck file has no `{name}`", f"add `{name}: ...` to the front matter"))
    diagnostics.extend(nesting_title(SourceLocation(source.display, field_line(front, raw, "title")),
                                     _text(values.get("title"))))
    slots = () if _text(values.get("key")) else (
        KeySlot(front.line, "", "", _text(values.get("title")) or "deck", front_matter=True),)
    lines = source.text.split("\n")
    body = [b for b in blocks if b.type != "front_matter"]
    if body and body[0].type == "heading" and body[0].tag == "h1":
        body = body[1:]
    description = "\n\n".join(block_source(lines, b) for b in body)
    deck = DeckInfo(
        key=_text(values.get("key")), title=_text(values.get("title")),
        language=_text(values.get("language")), source=_text(values.get("source")),
        description=description, location=SourceLocation(source.display, front.line),
    )
    # Returned even when incomplete (the errors stop the build) so that every truth is still validated.
    return ParsedFile(deck=deck, diagnostics=tuple(diagnostics), key_slots=slots)


def parse_truth_file(source: SourceFile) -> ParsedFile:
    diagnostics: list[Diagnostic] = []
    where = SourceLocation(source.display, 1)
    if not source.text.strip():
        diagnostics.append(error(where, "the file is empty",
                                 "write a truth in the format of content/README.md or delete the file"))
        return ParsedFile(diagnostics=tuple(diagnostics))
    blocks = _parse(source, diagnostics)
    if blocks is None:
        return ParsedFile(diagnostics=tuple(diagnostics))
    if not blocks or blocks[0].type != "front_matter":  # sections would only repeat this error
        diagnostics.append(missing_front_matter(source.text, source.display))
        return ParsedFile(diagnostics=tuple(diagnostics))
    front, raw = _front_matter(blocks, source, TRUTH_FIELDS, diagnostics)
    title, sections = _split_sections(blocks, source.display, diagnostics)
    if front is None:
        return ParsedFile(diagnostics=tuple(diagnostics))
    key = _text(front.values.get("key"))
    number = _number(front, raw, source.display, diagnostics)
    if title is None:
        diagnostics.append(error(where, "the truth has no title",
                                 "start the text with a heading such as `# Nutzen`"))
    slots: list[KeySlot] = []
    if not key:
        slots.append(KeySlot(front.line, "", "", title or source.path.stem, front_matter=True))
    builder = NoteBuilder(source, key, diagnostics, slots)
    by_name = {s.name: s for s in sections}
    lines = source.text.split("\n")
    core = _section_text(by_name, "Kernaussage", lines, where, diagnostics)
    explanation = _section_text(by_name, "Erklärung", lines, where, diagnostics)
    truth = Truth(
        key=key, number=number or 0, title=title or "", core=core,
        explanation=explanation,
        clozes=tuple(builder.clozes(by_name.get("Lückentexte", _empty()).blocks)),
        phrasings=tuple(builder.phrasings(by_name.get("Formulierungen", _empty()).blocks)),
        scenarios=tuple(builder.scenarios(by_name.get("Szenarien", _empty()).blocks)),
        location=where, number_location=SourceLocation(source.display, field_line(front, raw, "number")),
    )
    key_problems = orphaned_keys(source.text, builder.attached, source.display)
    diagnostics.extend(key_problems)
    complete = title is not None and number is not None
    return ParsedFile(truth=truth if complete else None, diagnostics=tuple(diagnostics),
                      key_slots=tuple(slots), key_problems=tuple(key_problems))


def _parse(source: SourceFile, diagnostics: list[Diagnostic]) -> list[Block] | None:
    """The file's blocks; problems of markup, raw syntax and nesting reported at their lines. None if
    the parser read past what the format allows (nesting, code blocks): what follows would be noise."""
    blocks, markup, too_deep = read_blocks(source.text)
    diagnostics.extend(markup_diagnostics(markup, source.display, source.root))
    lines = source.text.split("\n")
    front = {i for b in blocks if b.type == "front_matter" and b.map for i in range(*b.map)}
    code = [] if too_deep else code_blocks(blocks, source.display)
    read = lines[:too_deep - 1] if too_deep else lines[:code[0].location.line - 1] if code else lines
    diagnostics.extend(line_problems(read, source.display, front, section_lines(blocks, "Lückentexte")))
    if too_deep:
        diagnostics.append(nesting_problem(too_deep, source.display, markdown().options.maxNesting - 1))
    diagnostics.extend(code)
    return None if too_deep or code else blocks


def _empty() -> _Section:
    return _Section("", 0)


def _section_text(sections: dict[str, _Section], name: str, lines: list[str], where: SourceLocation,
                  diagnostics: list[Diagnostic]) -> str:
    """The Markdown of a required prose section, its length checked; "" (and an error) if absent."""
    section = sections.get(name)
    if section is None:
        diagnostics.append(error(where, f"the section `## {name}` is missing",
                                 f"add `## {name}` with its text"))
        return ""
    joiner = " " if name == "Kernaussage" else "\n\n"
    for block in section.blocks if name == "Kernaussage" else ():  # shown inline on every card
        if block.type not in ("paragraph", "html_block"):
            diagnostics.append(error(SourceLocation(where.path, line_of(block)), "the core statement "
                                     "must be plain text: a list, quote or heading would show as raw "
                                     "Markdown on every card", "write it as one sentence"))
    text = joiner.join(block_source(lines, b) for b in section.blocks).strip()
    at = SourceLocation(where.path, section.line)
    if not text:
        diagnostics.append(error(at, f"the section `## {name}` is empty",
                                 f"write its text below `## {name}`"))
    kind, hint = (("core statement", "say it in one short sentence; details belong in `## Erklärung`")
                  if name == "Kernaussage" else ("explanation", "shorten it to three to six sentences"))
    diagnostics.extend(too_long(at, f"the {kind} (`## {name}`)", kind, text, hint))
    return text


def _front_matter(
    blocks: list[Block], source: SourceFile, known: tuple[str, ...],
    diagnostics: list[Diagnostic],
) -> tuple[FrontMatter | None, str]:
    node = blocks[0] if blocks and blocks[0].type == "front_matter" else None
    if node is None:
        diagnostics.append(missing_front_matter(source.text, source.display))
        return None, ""
    raw = node.content
    return parse_front_matter(raw, line_of(node), source.display, known, diagnostics), raw


def _split_sections(
    blocks: list[Block], path: str, diagnostics: list[Diagnostic]
) -> tuple[str | None, list[_Section]]:
    title: str | None = None
    sections: list[_Section] = []
    for node in blocks:
        if node.type == "front_matter":
            continue
        if node.type == "heading" and node.tag == "h1":
            title = _title(node, title, path, diagnostics)
        elif node.type == "heading" and node.tag == "h2":
            sections.append(_open_section(node, path, sections, diagnostics))
        elif sections:
            sections[-1].blocks.append(node)
        elif not (node.type == "html_block" and is_comment(node.content)):
            diagnostics.append(error(
                SourceLocation(path, line_of(node)), "text outside of a section",
                "put it under one of: " + ", ".join(f"`## {s}`" for s in SECTIONS)))
    return title, [s for s in sections if s.name]


def _title(node: Block, title: str | None, path: str, diagnostics: list[Diagnostic]) -> str | None:
    where = SourceLocation(path, line_of(node))
    text = heading_text(node)
    if title is not None:
        diagnostics.append(error(where, f"a second title `# {text}`",
                                 "a truth has one `# Title`; start sections with `## `"))
        return title
    diagnostics.extend(too_long(where, "the title", "title", text, "shorten the title to a few words"))
    diagnostics.extend(nesting_title(where, text))
    return text or None


def _open_section(node: Block, path: str, sections: list[_Section],
                  diagnostics: list[Diagnostic]) -> _Section:
    name = heading_text(node)
    where = SourceLocation(path, line_of(node))
    if name not in SECTIONS:
        close = get_close_matches(name, SECTIONS, n=1, cutoff=0.6)
        hint = f"did you mean `## {close[0]}`? " if close else ""
        diagnostics.append(error(where, f"unknown section `## {name}`",
                                 hint + "use one of: " + ", ".join(f"`## {s}`" for s in SECTIONS)))
        return _Section("", line_of(node))
    if any(s.name == name for s in sections):
        diagnostics.append(error(where, f"the section `## {name}` appears twice",
                                 "merge both parts into one section"))
        return _Section("", line_of(node))
    return _Section(name, line_of(node))


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _number(front: FrontMatter, raw: str, path: str, diagnostics: list[Diagnostic]) -> int | None:
    value = front.values.get("number")
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 99:
        return value
    where = SourceLocation(path, field_line(front, raw, "number"))
    problem = "has no `number`" if value is None else f"has an invalid number `{value}`"
    diagnostics.append(error(where, f"the truth {problem}",
                             "write `number: 3` (a whole number from 1 to 99) in the front matter"))
    return None

