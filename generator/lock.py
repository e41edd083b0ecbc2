"""The lock file beside the content: per note and note type its key, GUID, hash and modification time."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from generator.errors import Diagnostic, SourceLocation, error
from generator.jsontext import CHUNK_CHARS, INDENT, encode_string, indented_json
from generator.sources import display_name

LOCK_FILE = "deck.lock"
LOCK_FORMAT = 1


class LockedNote(NamedTuple):
    """A released note (a NamedTuple: a lock holds one per note, made and read faster so)."""

    guid: str
    kind: str
    hash: str
    mod: int
    clozes: tuple[tuple[int, str], ...]  # (gap number, answer) as released
    label: str


@dataclass(frozen=True)
class LockedNoteType:
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[str, ...]
    hash: str
    mod: int


@dataclass(frozen=True)
class RetiredNote:
    guid: str
    kind: str
    label: str
    release: int


@dataclass(frozen=True)
class Changes:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    note_types: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired or self.note_types)


@dataclass(frozen=True)
class Lock:
    deck: str
    release: int = 0
    released: int = 0
    note_types: dict[str, LockedNoteType] = field(default_factory=dict)
    notes: dict[str, LockedNote] = field(default_factory=dict)
    retired: dict[str, RetiredNote] = field(default_factory=dict)
    changes: Changes = field(default_factory=Changes)


def lock_path(content_dir: Path) -> Path:
    return content_dir / LOCK_FILE


def read_lock(path: Path, diagnostics: list[Diagnostic],
              known: Callable[[bytes], Lock | None] | None = None) -> Lock | None:
    """The recorded lock, or None if there is none yet (a first release) or it is broken.

    `known` may return the lock a file's bytes hold without parsing them (the build cache keeps the
    lock it last wrote); else the file is parsed.
    """
    if not path.exists():
        return None
    try:
        data = path.read_bytes()
        if known and (found := known(data)):
            return found
        raw = json.loads(data.decode("utf-8"))
        if raw.get("format") != LOCK_FORMAT:
            raise ValueError(f"unsupported format {raw.get('format')!r}")
        return _from_json(raw)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        diagnostics.append(error(
            SourceLocation(display_name(path)), f"the lock file is broken ({exc})",
            "restore it from version control (git checkout -- content/deck.lock); never edit it by hand"))
        return None


def lock_record(lock: Lock) -> tuple[Any, ...]:
    """The lock as plain lists, tuples and scalars, for marshal (the build cache keeps the lock it
    wrote so: marshal reads it back in a fraction of the time of JSON). Its tables in key order, as
    the lock file holds them; the notes by column (a list per field: made and read faster)."""
    changes, keys = lock.changes, sorted(lock.notes)
    notes = [lock.notes[k] for k in keys]
    return (
        lock.deck, lock.release, lock.released,
        [(k, t.id, t.name, t.fields, t.templates, t.hash, t.mod) for k, t in sorted(lock.note_types.items())],
        keys, [[note[field] for note in notes] for field in range(len(LockedNote._fields))],
        [(k, r.guid, r.kind, r.label, r.release) for k, r in sorted(lock.retired.items())],
        (changes.added, changes.changed, changes.retired, changes.note_types),
    )


def lock_from_record(record: tuple[Any, ...]) -> Lock:
    """The lock `lock_record` made the record of; tests/test_incremental.py checks it equals the lock
    `read_lock` reads from the same lock's file, types and order included."""
    deck, release, released, note_types, keys, columns, retired, changes = record
    return Lock(
        deck=deck, release=release, released=released,
        note_types={k: LockedNoteType(*values) for k, *values in note_types},
        notes=dict(zip(keys, map(LockedNote._make, zip(*columns, strict=True)), strict=True)),
        retired={k: RetiredNote(*values) for k, *values in retired},
        changes=Changes(*changes),
    )


def lock_text(lock: Lock) -> Iterator[str]:
    """The lock file's text in chunks: json.dumps(..., ensure_ascii=False, indent=1, sort_keys=True).

    The notes, nearly all of it, are written here directly: each note's text by `_note_json`, the
    table of them in chunks (the general writer took three times as long for them).
    """
    head = "".join(indented_json(lock_data(lock, with_notes=False)))
    # The table of notes is this line: a line break inside a string would be escaped.
    before, after = head.split(f"\n{INDENT}{encode_string('notes')}: {{}}", 1)
    yield before
    yield f"\n{INDENT}{encode_string('notes')}: {{"
    separator, chunk, size = f"\n{INDENT * 2}", [], 0
    for key in sorted(lock.notes):
        text = f"{separator}{encode_string(key)}: {_note_json(lock.notes[key])}"
        separator = f",\n{INDENT * 2}"
        chunk.append(text)
        size += len(text)
        if size >= CHUNK_CHARS:
            yield "".join(chunk)
            chunk, size = [], 0
    yield "".join(chunk) + (f"\n{INDENT}}}" if lock.notes else "}")
    yield after
    yield "\n"


# _note_json writes these fields in this (sorted) order; a new field must be added there too.
assert LockedNote._fields == ("guid", "kind", "hash", "mod", "clozes", "label")


def _note_json(note: LockedNote) -> str:
    """One note's JSON as json.dumps indents it in the lock (at depth 2); a note's general
    encoding took most of the time of writing a large lock."""
    if note.clozes:
        gaps = ",\n    ".join(f"[\n     {int(n)!r},\n     {encode_string(a)}\n    ]" for n, a in note.clozes)
        clozes = f"[\n    {gaps}\n   ]"
    else:
        clozes = "[]"
    return (f'{{\n   "clozes": {clozes},\n   "guid": {encode_string(note.guid)},\n   "hash": '
            f'{encode_string(note.hash)},\n   "kind": {encode_string(note.kind)},\n   "label": '
            f'{encode_string(note.label)},\n   "mod": {int(note.mod)!r}\n  }}')


def lock_data(lock: Lock, with_notes: bool = True) -> dict[str, Any]:
    """The lock as JSON data; like dataclasses.asdict, without its deep copy of every note."""
    return {
        "format": LOCK_FORMAT, "deck": lock.deck, "release": lock.release, "released": lock.released,
        "note_types": {k: vars(v) for k, v in lock.note_types.items()},
        "notes": {k: v._asdict() for k, v in lock.notes.items()} if with_notes else {},
        "retired": {k: vars(v) for k, v in lock.retired.items()},
        "changes": vars(lock.changes),
    }


def _from_json(raw: dict[str, Any]) -> Lock:
    return Lock(
        deck=str(raw["deck"]), release=int(raw["release"]), released=int(raw["released"]),
        note_types={k: LockedNoteType(int(v["id"]), v["name"], tuple(v["fields"]), tuple(v["templates"]),
                                      v["hash"], int(v["mod"])) for k, v in raw["note_types"].items()},
        notes={k: LockedNote(v["guid"], v["kind"], v["hash"], int(v["mod"]),
                             tuple((int(n), str(a)) for n, a in v["clozes"]), v["label"])
               for k, v in raw["notes"].items()},
        retired={k: RetiredNote(v["guid"], v["kind"], v["label"], int(v["release"]))
                 for k, v in raw["retired"].items()},
        changes=Changes(**{k: tuple(v) for k, v in raw["changes"].items()}),
    )
