"""Anki's collection format as genanki 0.13 writes it, without importing genanki.

genanki stays the reference: tests/test_package.py checks that these constants are genanki's and
that a package written with them has every row and JSON value genanki.Package writes for the
same notes. A build does not import genanki because the import alone took 50 ms, a third of
building the default deck (it pulls in asyncio through cached_property).

SCHEMA and COLLECTION_ROW are copied from genanki/apkg_schema.py and genanki/apkg_col.py; the
note type and deck JSON and the card rules follow genanki's Model, Deck and Note.
genanki: Copyright (c) 2017 Kerrick Staley, MIT License.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from generator.notetypes import NoteType

SCHEMA = '''
CREATE TABLE col (
    id              integer primary key,
    crt             integer not null,
    mod             integer not null,
    scm             integer not null,
    ver             integer not null,
    dty             integer not null,
    usn             integer not null,
    ls              integer not null,
    conf            text not null,
    models          text not null,
    decks           text not null,
    dconf           text not null,
    tags            text not null
);
CREATE TABLE notes (
    id              integer primary key,   /* 0 */
    guid            text not null,         /* 1 */
    mid             integer not null,      /* 2 */
    mod             integer not null,      /* 3 */
    usn             integer not null,      /* 4 */
    tags            text not null,         /* 5 */
    flds            text not null,         /* 6 */
    sfld            integer not null,      /* 7 */
    csum            integer not null,      /* 8 */
    flags           integer not null,      /* 9 */
    data            text not null          /* 10 */
);
CREATE TABLE cards (
    id              integer primary key,   /* 0 */
    nid             integer not null,      /* 1 */
    did             integer not null,      /* 2 */
    ord             integer not null,      /* 3 */
    mod             integer not null,      /* 4 */
    usn             integer not null,      /* 5 */
    type            integer not null,      /* 6 */
    queue           integer not null,      /* 7 */
    due             integer not null,      /* 8 */
    ivl             integer not null,      /* 9 */
    factor          integer not null,      /* 10 */
    reps            integer not null,      /* 11 */
    lapses          integer not null,      /* 12 */
    left            integer not null,      /* 13 */
    odue            integer not null,      /* 14 */
    odid            integer not null,      /* 15 */
    flags           integer not null,      /* 16 */
    data            text not null          /* 17 */
);
CREATE TABLE revlog (
    id              integer primary key,
    cid             integer not null,
    usn             integer not null,
    ease            integer not null,
    ivl             integer not null,
    lastIvl         integer not null,
    factor          integer not null,
    time            integer not null,
    type            integer not null
);
CREATE TABLE graves (
    usn             integer not null,
    oid             integer not null,
    type            integer not null
);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
'''

COLLECTION_ROW = r'''
INSERT INTO col VALUES(
    null,
    1411124400,
    1425279151694,
    1425279151690,
    11,
    0,
    0,
    0,
    '{
        "activeDecks": [
            1
        ],
        "addToCur": true,
        "collapseTime": 1200,
        "curDeck": 1,
        "curModel": "1425279151691",
        "dueCounts": true,
        "estTimes": true,
        "newBury": true,
        "newSpread": 0,
        "nextPos": 1,
        "sortBackwards": false,
        "sortType": "noteFld",
        "timeLim": 0
    }',
    '{}',
    '{
        "1": {
            "collapsed": false,
            "conf": 1,
            "desc": "",
            "dyn": 0,
            "extendNew": 10,
            "extendRev": 50,
            "id": 1,
            "lrnToday": [
                0,
                0
            ],
            "mod": 1425279151,
            "name": "Default",
            "newToday": [
                0,
                0
            ],
            "revToday": [
                0,
                0
            ],
            "timeToday": [
                0,
                0
            ],
            "usn": 0
        }
    }',
    '{
        "1": {
            "autoplay": true,
            "id": 1,
            "lapse": {
                "delays": [
                    10
                ],
                "leechAction": 0,
                "leechFails": 8,
                "minInt": 1,
                "mult": 0
            },
            "maxTaken": 60,
            "mod": 0,
            "name": "Default",
            "new": {
                "bury": true,
                "delays": [
                    1,
                    10
                ],
                "initialFactor": 2500,
                "ints": [
                    1,
                    4,
                    7
                ],
                "order": 1,
                "perDay": 20,
                "separate": true
            },
            "replayq": true,
            "rev": {
                "bury": true,
                "ease4": 1.3,
                "fuzz": 0.05,
                "ivlFct": 1,
                "maxIvl": 36500,
                "minSpace": 1,
                "perDay": 100
            },
            "timer": 0,
            "usn": 0
        }
    }',
    '{}'
);
'''

# The tables, then the indexes: a writer that creates the indexes after inserting the rows builds them
# in one pass instead of updating them row by row (measured: 8 ms less at 10,000 notes).
SCHEMA_TABLES, _, _indexes = SCHEMA.partition("CREATE INDEX")
SCHEMA_INDEXES = "CREATE INDEX" + _indexes

FRONT_BACK, CLOZE = 0, 1  # genanki.Model.FRONT_BACK and CLOZE
LATEX_PRE = ("\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n"
             "\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n"
             "\\begin{document}\n")
LATEX_POST = "\\end{document}"
CLOZE_FIELD = re.compile(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}")
CLOZE_NUMBER = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)
MUSTACHE_TAG = re.compile(r"{{([#^/!&{]?)\s*(.*?)\s*}?}}", re.DOTALL)
SENTINEL = "SeNtInEl"


def deck_json(deck_id: int, name: str, description: str) -> dict[str, Any]:
    """genanki.Deck(deck_id, name, description).to_json()."""
    return {
        "collapsed": False, "conf": 1, "desc": description, "dyn": 0, "extendNew": 0, "extendRev": 50,
        "id": deck_id, "lrnToday": [163, 2], "mod": 1425278051, "name": name, "newToday": [163, 2],
        "revToday": [163, 0], "timeToday": [163, 23598], "usn": -1,
    }


class NoteTypeFormat:
    """A note type as genanki.Model writes it: its JSON, and which cards a note of it gets."""

    def __init__(self, note_type: NoteType, css: str) -> None:
        self.note_type = note_type
        self.css = css
        self.templates = note_type.template_html()
        self.required = required_fields(note_type.fields, [front for _, front, _ in self.templates])
        front = self.templates[0][1]
        cloze_names = set(CLOZE_FIELD.findall(front) + re.findall("<%cloze:(.+?)%>", front))
        self.cloze_fields = [i for i, name in enumerate(note_type.fields) if name in cloze_names]

    def json(self, mod: int, deck_id: int) -> dict[str, Any]:
        """genanki.Model(...).to_json(mod, deck_id), with the note type's own modification time."""
        return {
            "css": self.css, "did": deck_id,
            "flds": [{"name": name, "ord": index, "font": "Liberation Sans", "media": [], "rtl": False,
                      "size": 20, "sticky": False} for index, name in enumerate(self.note_type.fields)],
            "id": str(self.note_type.id), "latexPost": LATEX_POST, "latexPre": LATEX_PRE, "latexsvg": False,
            "mod": mod, "name": self.note_type.name, "req": self.required, "sortf": 0, "tags": [],
            "tmpls": [{"name": name, "qfmt": front, "afmt": back, "ord": index, "bafmt": "", "bqfmt": "",
                       "bfont": "", "bsize": 0, "did": None}
                      for index, (name, front, back) in enumerate(self.templates)],
            "type": CLOZE if self.note_type.is_cloze else FRONT_BACK, "usn": -1, "vers": [],
        }

    def card_ordinals(self, fields: tuple[str, ...]) -> Iterable[int]:
        """genanki.Note's cards: one per gap number of a cloze note, else one per template whose
        required fields are filled. A set for cloze notes, iterated as genanki iterates it."""
        if not self.note_type.is_cloze:
            return [o for o, how, wanted in self.required
                    if (any if how == "any" else all)(fields[i] for i in wanted)]
        found: set[int] = set()
        for index in self.cloze_fields:
            found.update(number - 1 for number in map(int, CLOZE_NUMBER.findall(fields[index])) if number > 0)
        return found


@cache
def card_rules(note_type: NoteType) -> NoteTypeFormat:
    """The note type's format without its stylesheet: what decides which cards a note gets."""
    return NoteTypeFormat(note_type, "")


def card_ordinals(note_type: NoteType, fields: tuple[str, ...]) -> tuple[int, ...]:
    """The ordinals of a note's cards, in the order genanki writes them."""
    return tuple(card_rules(note_type).card_ordinals(fields))


def required_fields(names: tuple[str, ...], fronts: list[str]) -> list[list[Any]]:
    """genanki.Model._req: per template, the fields without which its front shows no field at all.

    genanki renders the front with chevron, all fields set to a sentinel but one; here the same
    question is answered from the template's mustache tags (variables and sections).
    """
    required: list[list[Any]] = []
    for ordinal, front in enumerate(fronts):
        tags = MUSTACHE_TAG.findall(front)
        needed = [i for i, name in enumerate(names)
                  if not _shows_sentinel(tags, {n: "" if n == name else SENTINEL for n in names})]
        if needed:
            required.append([ordinal, "all", needed])
            continue
        wanted = [i for i, name in enumerate(names)
                  if _shows_sentinel(tags, {n: SENTINEL if n == name else "" for n in names})]
        required.append([ordinal, "any", wanted])
    return required


def _shows_sentinel(tags: list[tuple[str, str]], values: dict[str, str]) -> bool:
    """Whether a template with these tags, rendered with `values` (unknown names are empty), shows
    a non-empty value: a variable inside sections that are all shown."""
    hidden: list[bool] = []  # per open section: is its content hidden?
    for kind, name in tags:
        value = values.get(name, "")
        if kind in ("#", "^"):
            hidden.append(bool(value) == (kind == "^"))
        elif kind == "/":
            if hidden:
                hidden.pop()
        elif kind != "!" and value and not any(hidden):
            return True
    return False
