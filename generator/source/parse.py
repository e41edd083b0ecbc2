"""Markdown content files -> Truth and DeckInfo objects with source lines (one MarkdownIt, tree walk)."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches

from generator.errors import Diagnostic, SourceLocation, error
from generator.model import PRACTICE_NUMBER, ClozeNote, DeckInfo, PhrasingNote, RecognitionNote, Truth
from generator.rules.markup import is_comment, markup_diagnostics
from generator.rules.notes import too_long
from generator.rules.syntax import code_blocks, line_problems, nesting_problem, nesting_title
from generator.source.frontmatter import FrontMatter, field_line, missing_front_matter, parse_front_matter
from generator.source.headednotes import TruthNoteBuilder
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
from generator.source.notefields import orphaned_keys
from generator.source.reading import SourceFile

SECTIONS = ("Kernaussage", "Erklärung", "Lückentexte", "Formulierungen", "Szenarien")
PRACTICE_SECTIONS = ("Erklärung", "Welche Wahrheit?", "Kombinierte Szenarien")
TRUTH_FIELDS = ("key", "number", "practice")


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


def parse_truth_file(source: SourceFile) -> ParsedFile:
    diagnostics: list[Diagnostic] = []
    where = SourceLocation(source.display, 1)
    if not source.text.strip():
        diagnostics.append(error(where, "the file is empty",
                                 "write a truth in the format of content/README.md or delete the file"))
        return ParsedFile(diagnostics=tuple(diagnostics))
    blocks = parse_blocks(source, diagnostics)
    if blocks is None:
        return ParsedFile(diagnostics=tuple(diagnostics))
    if not blocks or blocks[0].type != "front_matter":  # sections would only repeat this error
        diagnostics.append(missing_front_matter(source.text, source.display))
        return ParsedFile(diagnostics=tuple(diagnostics))
    front, raw = front_matter_of(blocks, source, TRUTH_FIELDS, diagnostics)
    practice = front is not None and _practice(front, raw, source.display, diagnostics)
    title, sections = _split_sections(blocks, source.display, diagnostics,
                                      PRACTICE_SECTIONS if practice else SECTIONS)
    if front is None:
        return ParsedFile(diagnostics=tuple(diagnostics))
    key = plain_value(front.values.get("key"))
    number = PRACTICE_NUMBER if practice else _number(front, raw, source.display, diagnostics)
    if title is None:
        diagnostics.append(error(where, "the truth has no title",
                                 "start the text with a heading such as `# Nutzen`"))
    slots: list[KeySlot] = []
    if not key:
        slots.append(KeySlot(front.line, "", "", title or source.path.stem, front_matter=True))
    builder = TruthNoteBuilder(source, key, diagnostics, slots)
    by_name = {s.name: s for s in sections}
    lines = source.text.split("\n")
    if practice:
        core, explanation = "", _optional_text(by_name.get("Erklärung"), lines)
        clozes: tuple[ClozeNote, ...] = ()
        phrasings: tuple[PhrasingNote, ...] = ()
        recognitions: tuple[RecognitionNote, ...] = tuple(
            builder.recognitions(_blocks(by_name, "Welche Wahrheit?")))
        scenarios = tuple(builder.scenarios(_blocks(by_name, "Kombinierte Szenarien"), combined=True))
    else:
        core = _section_text(by_name, "Kernaussage", lines, where, diagnostics)
        explanation = _section_text(by_name, "Erklärung", lines, where, diagnostics)
        clozes = tuple(builder.clozes(_blocks(by_name, "Lückentexte")))
        phrasings = tuple(builder.phrasings(_blocks(by_name, "Formulierungen")))
        scenarios = tuple(builder.scenarios(_blocks(by_name, "Szenarien")))
        recognitions = ()
    truth = Truth(
        key=key, number=number if number is not None else 0, title=title or "", core=core,
        explanation=explanation, clozes=clozes, phrasings=phrasings, scenarios=scenarios,
        recognitions=recognitions, practice=practice, location=where,
        number_location=SourceLocation(source.display, field_line(front, raw, "number")),
    )
    key_problems = orphaned_keys(source.text, builder.attached, source.display)
    diagnostics.extend(key_problems)
    complete = title is not None and number is not None
    return ParsedFile(truth=truth if complete else None, diagnostics=tuple(diagnostics),
                      key_slots=tuple(slots), key_problems=tuple(key_problems))


def parse_blocks(source: SourceFile, diagnostics: list[Diagnostic]) -> list[Block] | None:
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


def _blocks(sections: dict[str, _Section], name: str) -> list[Block]:
    section = sections.get(name)
    return section.blocks if section else []


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


def front_matter_of(
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
    blocks: list[Block], path: str, diagnostics: list[Diagnostic], allowed: tuple[str, ...] = SECTIONS,
) -> tuple[str | None, list[_Section]]:
    title: str | None = None
    sections: list[_Section] = []
    for node in blocks:
        if node.type == "front_matter":
            continue
        if node.type == "heading" and node.tag == "h1":
            title = _title(node, title, path, diagnostics)
        elif node.type == "heading" and node.tag == "h2":
            sections.append(_open_section(node, path, sections, diagnostics, allowed))
        elif sections:
            sections[-1].blocks.append(node)
        elif not (node.type == "html_block" and is_comment(node.content)):
            diagnostics.append(error(
                SourceLocation(path, line_of(node)), "text outside of a section",
                "put it under one of: " + ", ".join(f"`## {s}`" for s in allowed)))
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
                  diagnostics: list[Diagnostic], allowed: tuple[str, ...]) -> _Section:
    name = heading_text(node)
    where = SourceLocation(path, line_of(node))
    if name not in allowed:
        close = get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"did you mean `## {close[0]}`? " if close else ""
        kind = "in the practice file " if allowed is PRACTICE_SECTIONS else ""
        diagnostics.append(error(where, f"unknown section `## {name}` {kind}".strip(),
                                 hint + "use one of: " + ", ".join(f"`## {s}`" for s in allowed)))
        return _Section("", line_of(node))
    if any(s.name == name for s in sections):
        diagnostics.append(error(where, f"the section `## {name}` appears twice",
                                 "merge both parts into one section"))
        return _Section("", line_of(node))
    return _Section(name, line_of(node))


def plain_value(value: object) -> str:
    return "" if value is None else str(value).strip()


def _number(front: FrontMatter, raw: str, path: str, diagnostics: list[Diagnostic]) -> int | None:
    value = front.values.get("number")
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 99:
        return value
    where = SourceLocation(path, field_line(front, raw, "number"))
    problem = "has no `number`" if value is None else f"has an invalid number `{value}`"
    diagnostics.append(error(where, f"the truth {problem}",
                             "write `number: 3` (a whole number from 0 to 99; 0 for an introduction) in "
                             "the front matter, or `practice: true` for notes across truths"))
    return None


def _practice(front: FrontMatter, raw: str, path: str, diagnostics: list[Diagnostic]) -> bool:
    """`practice: true`: the file holds notes across truths (and has no number)."""
    value = front.values.get("practice")
    if value is None or value is False:
        return False
    where = SourceLocation(path, field_line(front, raw, "practice"))
    if value is not True:
        diagnostics.append(error(where, f"`practice` must be `true` or `false`, not `{value}`",
                                 "write `practice: true` for the file of notes across truths"))
        return False
    if "number" in front.values:
        diagnostics.append(error(where, "the practice file has a `number`",
                                 "delete the `number:` line: practice comes after every truth"))
    return True


def _optional_text(section: _Section | None, lines: list[str]) -> str:
    return "\n\n".join(block_source(lines, b) for b in section.blocks).strip() if section else ""

