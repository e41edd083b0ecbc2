"""Write missing keys into content files in place, changing nothing else (line endings, BOM kept)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import yaml

from generator.errors import ContentError, Diagnostic, SourceLocation, error
from generator.files import atomic_write
from generator.release.lock import lock_path, read_lock
from generator.source.deckfile import parse_deck_file
from generator.source.markdown import KeySlot
from generator.source.parse import ParsedFile, parse_truth_file
from generator.source.reading import SourceFile, read_sources

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def write_missing_keys(content_dir: Path) -> list[Path]:
    """Add a key to every note, truth and deck that has none; returns the files changed.

    Refuses (ContentError, nothing written) while a key comment is attached to no note or a key is on
    two notes: a new key then could take the place of the released one, and its history would go.
    """
    sources = read_sources(content_dir)
    parsed = [(s, parse_deck_file(s)) for s in ([sources.deck] if sources.deck else [])]
    parsed += [(s, parse_truth_file(s)) for s in sources.truths if not s.problem]  # others: not UTF-8
    if problems := _key_problems(parsed):
        raise ContentError(problems)
    taken = _existing_keys(parsed) | _released_keys(content_dir)
    changed = []
    for source, result in parsed:
        if result.key_slots:
            _write(source, result.key_slots, taken)
            changed.append(source.path)
    return changed


def _key_problems(parsed: list[tuple[SourceFile, ParsedFile]]) -> list[Diagnostic]:
    problems = [d for _, result in parsed for d in result.key_problems]
    first: dict[str, SourceLocation] = {}
    for _, result in parsed:
        for note in result.truth.notes if result.truth else ():
            if note.key and note.key in first:
                problems.append(error(note.location, f"duplicate note key `{note.key}` (also at "
                                      f"{first[note.key]}): no key was added",
                                      "run `wahrheiten-deck check` to see which note keeps the key"))
            first.setdefault(note.key, note.location)
    return problems


def _existing_keys(parsed: list[tuple[SourceFile, ParsedFile]]) -> set[str]:
    keys = set()
    for source, _ in parsed:
        keys.update(re.findall(r"<!--\s*key:\s*(\S+?)\s*-->", source.text))
        keys.update(re.findall(r"^key:\s*(\S+)\s*$", source.text, re.MULTILINE))
    return keys


def _released_keys(content_dir: Path) -> set[str]:
    """Keys of released and retired notes: a retired note's key is never handed out again."""
    lock = read_lock(lock_path(content_dir), [])  # a broken lock is reported by check and build
    return set(lock.notes) | set(lock.retired) if lock else set()


def _write(source: SourceFile, slots: tuple[KeySlot, ...], taken: set[str]) -> None:
    raw = source.path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = LINE.findall(text)  # the line breaks the parser counts (not str.splitlines' \f, \u2028, …)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    for slot in sorted(slots, key=lambda s: s.line, reverse=True):
        key = _new_key(slot, taken)
        taken.add(key)
        line = f"key: {key}" if slot.front_matter else f"{slot.indent}<!-- key: {key} -->"
        lines.insert(slot.line, line + newline)
    atomic_write(source.path, (b"\xef\xbb\xbf" if bom else b"") + "".join(lines).encode("utf-8"))


def _new_key(slot: KeySlot, taken: set[str]) -> str:
    if slot.front_matter:
        base = slug if len(slug := slugify(slot.seed)) >= 2 else "wahrheit"
        if not isinstance(yaml.safe_load(base), str):  # `false`, `no`, `12` would not read back as text
            base = f"wahrheit-{base}"
        candidates = [base] + [f"{base}-{n}" for n in range(2, 1000)]
        return next(c for c in candidates if c not in taken)
    for attempt in range(1000):
        digest = hashlib.sha256(f"{slot.prefix}\n{slot.seed}\n{slot.line}\n{attempt}".encode()).digest()
        suffix = base64.b32encode(digest[:5]).decode().lower()[:6]
        key = f"{slot.prefix}-{suffix}" if slot.prefix else suffix
        if key not in taken:
            return key
    raise RuntimeError("no free key found")  # 1000 collisions of a 30-bit hash cannot happen


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().translate(UMLAUTS)).strip("-")
    return slug[:30].rstrip("-")
