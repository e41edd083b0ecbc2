"""Edits a trainer makes to a content folder without thinking of keys, as hypothesis strategies.

Each edit works on the text of the files the way an editor would: copy or move a note with its key line,
change list markers and indentation, reword, reorder, delete, insert a note, insert Anki syntax or
unsupported Markdown anywhere, rename a file, edit descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

ITEM = re.compile(r"^(?:- |\d+\. |\* |\+ )")
Edit = Callable[[Path], str]  # applies itself to a content folder; returns what it did


@dataclass(frozen=True)
class Note:
    """A list item or a scenario: its file and its lines [start, end)."""

    path: Path
    start: int
    end: int


HEADED_SECTIONS = ("Szenarien", "Welche Wahrheit?", "Kombinierte Szenarien")  # notes under `### `


def truth_files(content: Path) -> list[Path]:
    return sorted(p for p in content.glob("*.md") if p.name not in ("deck.md", "README.md"))


def notes(path: Path) -> list[Note]:
    """The notes of a file, found as a person reading it would find them."""
    lines = path.read_text(encoding="utf-8").split("\n")
    found, section, start = [], "", None
    for index, line in enumerate([*lines, "## end"]):
        boundary = line.startswith("#") or ITEM.match(line)
        if start is not None and (boundary or (not line.strip() and section != "Szenarien")):
            found.append(Note(path, start, index))
            start = None
        if line.startswith("## "):
            section = line[3:].strip()
        listed = section in ("Lückentexte", "Formulierungen") and ITEM.match(line)
        if listed or (section in HEADED_SECTIONS and line.startswith("### ")):
            start = index
    return found


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8")


def pick(data: st.DataObject, items: list, label: str):  # type: ignore[no-untyped-def, type-arg]
    return data.draw(st.sampled_from(items), label=label)


def copy_note(data: st.DataObject, content: Path, move: bool) -> str:
    candidates = [n for p in truth_files(content) for n in notes(p)
                  if not lines_of(p)[n.start].startswith("###")]
    if not candidates:
        return "nothing to copy"
    note = pick(data, candidates, "note")
    block = lines_of(note.path)[note.start:note.end]
    if data.draw(st.booleans(), label="reword the copy"):
        block = [block[0] + " Neu formuliert.", *block[1:]]
    targets = [n for p in truth_files(content) for n in notes(p)
               if lines_of(p)[n.start][:1] == block[0][:1] and not lines_of(p)[n.start].startswith("###")]
    target = pick(data, targets, "target")
    if move:
        source = lines_of(note.path)
        del source[note.start:note.end]
        write(note.path, source)
        targets = [n for n in notes(target.path)] or [target]
        target = targets[min(len(targets) - 1, data.draw(st.integers(0, 5), label="at"))]
    lines = lines_of(target.path)
    at = target.start if data.draw(st.booleans(), label="above") else target.end
    lines[at:at] = block
    write(target.path, lines)
    return f"{'moved' if move else 'copied'} {note.path.name}:{note.start + 1} to {target.path.name}:{at + 1}"


def list_markers(data: st.DataObject, content: Path) -> str:
    path = pick(data, truth_files(content), "file")
    marker = data.draw(st.sampled_from(["1. ", "* ", "+ ", "- "]), label="marker")
    lines = [ITEM.sub(marker, line) if ITEM.match(line) and not line.startswith("- [") else line
             for line in lines_of(path)]
    write(path, lines)
    return f"list markers in {path.name} -> {marker!r}"


def key_indentation(data: st.DataObject, content: Path) -> str:
    path = pick(data, truth_files(content), "file")
    indent = " " * data.draw(st.sampled_from([0, 2, 3, 4]), label="indent")
    write(path, [indent + line.strip() if line.strip().startswith("<!-- key:") and line.startswith(" ")
                 else line for line in lines_of(path)])
    return f"key lines in {path.name} indented by {len(indent)}"


def reword(data: st.DataObject, content: Path) -> str:
    path = pick(data, truth_files(content), "file")
    lines = lines_of(path)
    words = [(i, w) for i, line in enumerate(lines) if not line.startswith(("---", "key:", "number:", "<!--"))
             and "<!--" not in line for w in re.findall(r"\b[a-zäöüß]{5,}\b", line)]
    if not words:
        return "nothing to reword"
    index, word = pick(data, words, "word")
    lines[index] = lines[index].replace(word, data.draw(st.sampled_from(["wirklich", "genau", "oft"]),
                                                        label="new word"), 1)
    write(path, lines)
    return f"reworded {path.name}:{index + 1}"


def reorder_or_delete(data: st.DataObject, content: Path, delete: bool) -> str:
    path = pick(data, truth_files(content), "file")
    found = notes(path)
    if len(found) < 2:
        return "nothing to reorder"
    lines = lines_of(path)
    first = pick(data, found, "note")
    if delete:
        del lines[first.start:first.end]
        write(path, lines)
        return f"deleted {path.name}:{first.start + 1}"
    same = [n for n in found if n != first and lines[n.start][:1] == lines[first.start][:1]]
    if not same:
        return "nothing to swap"
    second = pick(data, same, "other")
    a, b = sorted([first, second], key=lambda n: n.start)
    blocks = lines[:a.start], lines[a.start:a.end], lines[a.end:b.start], lines[b.start:b.end], lines[b.end:]
    write(path, [*blocks[0], *blocks[3], *blocks[2], *blocks[1], *blocks[4]])
    return f"swapped {path.name}:{a.start + 1} and :{b.start + 1}"


INSERTIONS = ["{{c1::Antwort}}", "{{c1::offen", "{{Name}}", "}}", "| a | b |", "~~falsch~~", "<b>fett</b>",
              "```", "> Zitat", "    eingerückt", "[Link](javascript:alert(1))", "---", "Ã¼ber"]


def insert_syntax(data: st.DataObject, content: Path) -> str:
    path = pick(data, [*truth_files(content), content / "deck.md"], "file")
    lines = lines_of(path)
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    text = pick(data, INSERTIONS, "insertion")
    if data.draw(st.booleans(), label="own line"):
        lines.insert(index, text)
    else:
        lines[index] = lines[index] + " " + text
    write(path, lines)
    return f"inserted {text!r} at {path.name}:{index + 1}"


def new_note(data: st.DataObject, content: Path) -> str:
    path = pick(data, truth_files(content), "file")
    lines = lines_of(path)
    if "## Lückentexte" not in lines:
        return "no cloze section"
    at = lines.index("## Lückentexte") + 2
    number = data.draw(st.integers(0, 99), label="n")
    lines.insert(at, f"- Ein neuer Satz mit einer {{{{c1::Lücke{number}}}}}.")
    write(path, lines)
    return f"new note in {path.name}"


def rename_file(data: st.DataObject, content: Path) -> str:
    path = pick(data, truth_files(content), "file")
    target = path.with_name(f"{data.draw(st.integers(10, 99), label='prefix')}-{path.name}")
    path.rename(target)
    return f"renamed {path.name} to {target.name}"


def edit_description(data: st.DataObject, content: Path) -> str:
    path = pick(data, [*truth_files(content), content / "deck.md"], "file")
    lines = lines_of(path)
    heading = "## Erklärung" if path.name != "deck.md" else next(x for x in lines if x.startswith("# "))
    if heading not in lines:
        return "no description"
    lines.insert(lines.index(heading) + 2, "Ein neuer erster Satz der Beschreibung.")
    lines.insert(lines.index(heading) + 3, "")
    write(path, lines)
    return f"description of {path.name}"


def change_plan(data: st.DataObject, content: Path) -> str:
    """A new number of days (sometimes one no plan can have), another trainer's note, or no plan."""
    path = content / "deck.md"
    lines = [line for line in lines_of(path) if not line.startswith(("plan:", "  days:", "  notes:", "    "))]
    choice = data.draw(st.sampled_from(["days", "note", "none"]), label="plan edit")
    if choice != "none":
        days = data.draw(st.integers(0, 25), label="days")
        plan = ["plan:", f"  days: {days}"]
        if choice == "note":
            plan += ["  notes:", f"    {data.draw(st.integers(1, 26), label='day')}: \"Rollenspiel\""]
        lines[lines.index("---", 1):lines.index("---", 1)] = plan
    write(path, lines)
    return f"plan: {choice}"


SECTORS = ["Bank", "Versicherung", "Handel", "B2B", "Handwerk", "Telefon/E-Mail", "Bäckerei"]


def edit_sector(data: st.DataObject, content: Path) -> str:
    """Add a `**Branche:**` line to a scenario or practice note, change one, or delete one."""
    path = pick(data, truth_files(content), "file")
    lines = lines_of(path)
    existing = [i for i, line in enumerate(lines) if line.strip().startswith("**Branche:**")]
    headed = [n.start for n in notes(path) if lines[n.start].startswith("### ")]
    if existing and data.draw(st.booleans(), label="change an existing one"):
        index = pick(data, existing, "line")
        if data.draw(st.booleans(), label="delete it"):
            del lines[index]
        else:
            indent = lines[index].split("**Branche:**")[0]
            lines[index] = f"{indent}**Branche:** {pick(data, SECTORS, 'sector')}"
    elif headed:
        at = pick(data, headed, "note") + 1
        lines[at:at] = ["", f"**Branche:** {pick(data, SECTORS, 'sector')}", ""]
    else:
        return "no sector to edit"
    write(path, lines)
    return f"sector in {path.name}"


def retarget_practice(data: st.DataObject, content: Path) -> str:
    """Point a practice note at another truth number (sometimes one that does not exist)."""
    for path in truth_files(content):
        lines = lines_of(path)
        targets = [i for i, line in enumerate(lines) if line.startswith(("**Wahrheit:**", "**Wahrheiten:**"))]
        if targets:
            index = pick(data, targets, "line")
            label = lines[index].split("**")[1]
            numbers = data.draw(st.lists(st.integers(0, 15), min_size=1, max_size=3), label="numbers")
            lines[index] = f"**{label}** {', '.join(map(str, numbers))}"
            write(path, lines)
            return f"practice note in {path.name}:{index + 1} -> {numbers}"
    return "no practice file"


EDITS: list[Callable[[st.DataObject, Path], str]] = [
    lambda d, c: copy_note(d, c, move=False), lambda d, c: copy_note(d, c, move=True), list_markers,
    key_indentation, reword, lambda d, c: reorder_or_delete(d, c, delete=False),
    lambda d, c: reorder_or_delete(d, c, delete=True), insert_syntax, new_note, rename_file, edit_description,
    change_plan, edit_sector, retarget_practice,
]
