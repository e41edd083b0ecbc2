"""The lock file beside the content: per note and note type its key, GUID, hash and modification time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from generator.errors import Diagnostic, SourceLocation, error
from generator.files import display_name

LOCK_FILE = "deck.lock"
LOCK_FORMAT = 1


class LockedNote(NamedTuple):
    """A released note."""

    guid: str
    kind: str
    hash: str
    mod: int
    clozes: tuple[tuple[int, str], ...]  # (gap number, answer) as released
    label: str
    text: str = ""  # its fields as plain text (release notes show it against a changed note's new text)


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
    """A note taken out of the content. It is shipped on as a withdrawn note (see release/withdrawn.py)
    with its own modification time, so learners who have it get the notice once."""

    guid: str
    kind: str
    label: str
    release: int
    mod: int = 0  # of the withdrawn note; 0 in a lock from before withdrawn notes were shipped
    cards: tuple[int, ...] = (0,)  # the card ordinals learners have (a cloze's gap numbers - 1)


@dataclass(frozen=True)
class LockedDeck:
    """A released deck or subdeck: Anki replaces its description on every import."""

    name: str
    hash: str  # of its name and description


@dataclass(frozen=True)
class Changes:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    note_types: tuple[str, ...] = ()
    decks: tuple[str, ...] = ()  # names of decks whose description is new or changed
    before: tuple[tuple[str, str], ...] = ()  # (key, released text) of each changed note

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.retired or self.note_types or self.decks)


@dataclass(frozen=True)
class Lock:
    deck: str
    release: int = 0
    released: int = 0
    note_types: dict[str, LockedNoteType] = field(default_factory=dict)
    notes: dict[str, LockedNote] = field(default_factory=dict)
    retired: dict[str, RetiredNote] = field(default_factory=dict)
    changes: Changes = field(default_factory=Changes)
    decks: dict[str, LockedDeck] | None = field(default_factory=dict)  # None: a lock from before decks


def lock_path(content_dir: Path) -> Path:
    return content_dir / LOCK_FILE


def read_lock(path: Path, diagnostics: list[Diagnostic]) -> Lock | None:
    """The recorded lock, or None if there is none yet (a first release) or it is broken."""
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
        if raw.get("format") != LOCK_FORMAT:
            raise ValueError(f"unsupported format {raw.get('format')!r}")
        return _from_json(raw)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        diagnostics.append(error(
            SourceLocation(display_name(path)), f"the lock file is broken ({exc})",
            "restore it from version control (git checkout -- content/deck.lock); never edit it by hand"))
        return None


def lock_text(lock: Lock) -> Iterator[str]:
    """The lock file's text, in pieces (a large lock is never all in memory at once): JSON with one line
    per note, note type, deck and retired note (sorted), so that a release's diff in review shows
    exactly the entries it changed."""
    yield "{"
    for index, (name, value) in enumerate(sorted(lock_data(lock).items())):
        yield ("," if index else "") + f"\n {_json(name)}: "
        if isinstance(value, dict) and value and name != "changes":
            yield "{"
            for number, (key, entry) in enumerate(sorted(value.items())):
                yield ("," if number else "") + f"\n  {_json(key)}: {_json(entry)}"
            yield "\n }"
        else:
            yield _json(value)
    yield "\n}\n"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def lock_data(lock: Lock) -> dict[str, Any]:
    """The lock as JSON data."""
    return {
        "format": LOCK_FORMAT, "deck": lock.deck, "release": lock.release, "released": lock.released,
        "note_types": {k: vars(v) for k, v in lock.note_types.items()},
        "notes": {k: v._asdict() for k, v in lock.notes.items()},
        "retired": {k: vars(v) for k, v in lock.retired.items()},
        "changes": vars(lock.changes),
        "decks": {k: vars(v) for k, v in (lock.decks or {}).items()},
    }


def _from_json(raw: dict[str, Any]) -> Lock:
    return Lock(
        deck=str(raw["deck"]), release=int(raw["release"]), released=int(raw["released"]),
        note_types={k: LockedNoteType(int(v["id"]), v["name"], tuple(v["fields"]), tuple(v["templates"]),
                                      v["hash"], int(v["mod"])) for k, v in raw["note_types"].items()},
        notes={k: LockedNote(v["guid"], v["kind"], v["hash"], int(v["mod"]),
                             tuple((int(n), str(a)) for n, a in v["clozes"]), v["label"], v.get("text", ""))
               for k, v in raw["notes"].items()},
        retired={k: RetiredNote(v["guid"], v["kind"], v["label"], int(v["release"]), int(v.get("mod", 0)),
                                tuple(int(c) for c in v.get("cards", (0,))))
                 for k, v in raw["retired"].items()},
        changes=_changes(raw["changes"]),
        decks=({k: LockedDeck(v["name"], v["hash"]) for k, v in raw["decks"].items()}
               if "decks" in raw else None),
    )


def _changes(raw: dict[str, Any]) -> Changes:
    def names(field: str) -> tuple[str, ...]:
        return tuple(str(name) for name in raw.get(field, ()))

    return Changes(names("added"), names("changed"), names("retired"), names("note_types"), names("decks"),
                   before=tuple((str(key), str(text)) for key, text in raw.get("before", ())))
