"""Turn the blocks of the note sections (Lückentexte, Formulierungen, Szenarien) into notes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.errors import Diagnostic, SourceLocation, error
from generator.model import Choice, ClozeNote, PhrasingNote
from generator.rules.markup import is_comment
from generator.source.markdown import KEY_COMMENT, Block, KeySlot, is_key_comment, line_of
from generator.source.reading import SourceFile

LABEL = re.compile(r"^\*\*(.+?):\*\*\s*(.*)$")
COLON_OUTSIDE = re.compile(r"^\*\*(.+?)\*\*\s*:")
LIST_MARKER = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)")
CHOICE = re.compile(r"^\[([ xX])\]\s+(.*)$", re.DOTALL)
PHRASING_LABELS = {"Sagen": "say", "Vermeiden": "avoid", "Warum": "reason", "Besser": "better",
                   "Branche": "sectors"}
# `**Branche:**` values and their tags (below `<deck>::branche::`): a team studies its own sector.
SECTORS = {"Bank": "bank", "Versicherung": "versicherung", "Handel": "handel", "B2B": "b2b",
           "Handwerk": "handwerk", "Telefon/E-Mail": "telefon-email"}


class NoteBuilder:
    """Builds the list-item notes of one truth file (clozes, phrasings), reporting problems and missing
    keys as it goes; headednotes.py adds the notes written under H3 headings."""

    def __init__(self, source: SourceFile, truth_key: str, diagnostics: list[Diagnostic],
                 slots: list[KeySlot]) -> None:
        self.source = source
        self.lines = source.text.split("\n")
        # Note keys are "<prefix>-<6 characters>": the prefix is cut so that keys stay within 40 characters.
        prefix = re.sub(r"[^a-z0-9]+", "-", (truth_key or source.path.stem).lower()).strip("-")
        self.prefix = prefix[:33].rstrip("-")
        self.diagnostics = diagnostics
        self.slots = slots
        self.attached: set[tuple[str, int]] = set()  # (key, line) of every key comment given to a note

    def clozes(self, blocks: list[Block]) -> Iterator[ClozeNote]:
        for item, after in self._list_items(blocks, "Lückentexte"):
            text, key = self._item_text(item, after)
            yield ClozeNote(key, text, self._at(item))

    def phrasings(self, blocks: list[Block]) -> Iterator[PhrasingNote]:
        for item, after in self._list_items(blocks, "Formulierungen"):
            text, key = self._item_text(item, after)
            values = self._labelled(text, line_of(item), PHRASING_LABELS)
            verdicts = [v for v in ("Sagen", "Vermeiden") if v in values]
            if len(verdicts) != 1 or "Warum" not in values:
                self._fail(item, "a phrasing needs `**Sagen:**` or `**Vermeiden:**` and `**Warum:**`",
                           "write `- **Sagen:** „…“` and on the next line `**Warum:** …`")
                continue
            if empty := [label for label in (verdicts[0], "Warum") if not values[label]]:
                self._fail(item, f"`**{empty[0]}:**` is empty", f"write the text after `**{empty[0]}:**`")
                continue
            if not self._better_fits(item, verdicts[0], values):
                continue
            yield PhrasingNote(key, "say" if verdicts[0] == "Sagen" else "avoid",
                               values[verdicts[0]], values["Warum"], values.get("Besser", ""),
                               self._at(item), self._sectors(item, values))

    def _better_fits(self, item: Block, verdict: str, values: dict[str, str]) -> bool:
        """The card asks for a better wording exactly when there is one: `**Besser:**` is required
        with `**Vermeiden:**` and wrong with `**Sagen:**`."""
        if verdict == "Vermeiden" and not values.get("Besser"):
            self._fail(item, "a `**Vermeiden:**` phrasing needs `**Besser:**`: its card asks for a "
                       "better wording", "add a line `**Besser:** „…“` with what to say instead")
            return False
        if verdict == "Sagen" and "Besser" in values:
            self._fail(item, "a `**Sagen:**` phrasing has no `**Besser:**`: its card asks what makes "
                       "the wording work", "delete the `**Besser:**` line, or make it `**Vermeiden:**`")
            return False
        return True

    def _sectors(self, node: Block, values: dict[str, str]) -> tuple[str, ...]:
        """The `**Branche:**` values as tag names; unknown ones are errors."""
        names = [name.strip() for name in values.get("Branche", "").split(",") if name.strip()]
        unknown = [name for name in names if name not in SECTORS]
        for name in unknown:
            self._fail(node, f"unknown sector `{name}` in `**Branche:**`",
                       "use one or more of: " + ", ".join(SECTORS) + " (separated by commas)")
        return tuple(dict.fromkeys(SECTORS[name] for name in names if name in SECTORS))

    def _choices(self, node: Block) -> Iterator[Choice]:
        for item in node.children:
            text, _ = self._item_text(item, None, keyed=False)
            match = CHOICE.match(text)
            if match is None:
                self._fail(item, "an answer choice must start with `[ ]` or `[x]`",
                           "mark the recommended choice `- [x] …` and the others `- [ ] …`")
                continue
            yield Choice(match.group(2).strip(), match.group(1) != " ")

    def _list_items(self, blocks: list[Block], section: str) -> list[tuple[Block, Block | None]]:
        """The section's list items, each with the key comment written right after it, outside the list
        (Markdown ends a list item there when the key line is indented less than the item's text, as
        under `1. ` items, or not at all)."""
        items: list[tuple[Block, Block | None]] = []
        for node in blocks:
            if node.type in ("bullet_list", "ordered_list"):
                items.extend((child, None) for child in node.children)
            elif is_key_comment(node) and items and items[-1][1] is None and not _own_key(items[-1][0]):
                items[-1] = (items[-1][0], node)
            elif not is_comment_block(node):
                self._fail(node, f"unexpected content in `## {section}`",
                           "write every note as a list item starting with `- `")
        return items

    def _item_text(self, item: Block, after: Block | None, keyed: bool = True) -> tuple[str, str]:
        """The item's Markdown text without its key comment, and the key ("" if none)."""
        parts, key = [], ""
        for child in (*item.children, *((after,) if after else ())):
            content = child.children[0].content if child.type == "paragraph" else child.content
            for match in KEY_COMMENT.finditer(content):
                if keyed and not key:  # a second key stays unattached: it is reported as such
                    key = self._attach(match.group(1), line_of(child) + content.count("\n", 0, match.start()))
            content = KEY_COMMENT.sub("", content)
            if child.type not in ("paragraph", "html_block"):
                self._fail(child, "a note must be a single paragraph",
                           "remove nested lists, quotes or code from the list item")
            if child is not after:
                parts.append(content.strip())
        text = "\n".join(p for p in parts if p)
        if keyed and not key and item.map:
            self.slots.append(KeySlot(self._last_line(item), self._indent(item),
                                      self.prefix, text))
        return text, key

    def _attach(self, key: str, line: int) -> str:
        self.attached.add((key, line))
        return key

    def _labelled(self, text: str, first_line: int, labels: dict[str, str]) -> dict[str, str]:
        values: dict[str, str] = {}
        current = ""
        for offset, line in enumerate(text.split("\n")):
            match = LABEL.match(line)
            if match and match.group(1) in labels:
                current = match.group(1)
                if current in values:
                    self._fail_at(first_line + offset, f"`**{current}:**` appears twice",
                                  "keep one of them")
                values[current] = match.group(2).strip()
            elif (outside := COLON_OUTSIDE.match(line)) and outside.group(1) in labels:
                label = outside.group(1)
                self._fail_at(first_line + offset, f"the colon of `**{label}**:` is outside the stars",
                              f"write `**{label}:**`")
            elif current:
                values[current] = f"{values[current]}\n{line.strip()}".strip()
            else:
                found = f"unknown label `**{match.group(1)}:**`" if match else "text without a label"
                self._fail_at(first_line + offset, found,
                              "start the line with one of: " + ", ".join(f"`**{k}:**`" for k in labels))
        return values

    def _last_line(self, item: Block) -> int:
        start, end = item.map or (0, 0)
        while end > start + 1 and not self.lines[end - 1].strip():
            end -= 1
        return end

    def _indent(self, item: Block) -> str:
        match = LIST_MARKER.match(self.lines[line_of(item) - 1])
        return " " * len(match.group(1)) if match else "  "

    def _at(self, node: Block) -> SourceLocation:
        return SourceLocation(self.source.display, line_of(node))

    def _fail(self, node: Block, message: str, hint: str) -> None:
        self._fail_at(line_of(node), message, hint)

    def _fail_at(self, line: int, message: str, hint: str) -> None:
        self.diagnostics.append(error(SourceLocation(self.source.display, line), message, hint))


ORPHAN_HINT = ("a note carries one key line: the last, indented line of its list item, or the line under "
               "its `### ` heading; move this line to its note, or delete it if its note was deleted")


def orphaned_keys(text: str, attached: set[tuple[str, int]], path: str) -> list[Diagnostic]:
    """An error for every key comment of the file that no note took: a key is never silently ignored."""
    found = []
    starts = _comment_starts(text)
    offset = 0
    for number, line in enumerate(text.split("\n"), 1):
        for match in KEY_COMMENT.finditer(line):
            if offset + match.start() in starts and (match.group(1), number) not in attached:
                found.append(error(SourceLocation(path, number),
                                   f"the key `{match.group(1)}` is not attached to any note", ORPHAN_HINT))
        offset += len(line) + 1
    return found


def _comment_starts(text: str) -> set[int]:
    """Where the file's comments start: a key inside an unclosed comment is hidden (and the unclosed
    comment reported), not a key of its own."""
    starts, position = set(), 0
    while (start := text.find("<!--", position)) != -1:
        starts.add(start)
        end = text.find("-->", start + 4)
        position = len(text) if end == -1 else end + 3
    return starts


def _own_key(item: Block) -> bool:
    return any(KEY_COMMENT.search(c.children[0].content if c.type == "paragraph" else c.content)
               for c in item.children)


def is_comment_block(node: Block) -> bool:
    return node.type == "html_block" and is_comment(node.content)


def label_of(node: Block) -> str:
    if node.type != "paragraph":
        return ""
    match = LABEL.match(node.children[0].content)
    return match.group(1) if match else ""
