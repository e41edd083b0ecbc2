"""json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) text, fast and in chunks.

The standard library uses its C encoder only without `indent`; its pure-Python encoder made writing the
lock of a large deck slow and built the whole text (and millions of small strings) in memory. Here every
scalar is encoded by the C functions json itself uses and only the indentation is assembled in Python,
in chunks of a few kilobytes, so the lock can be streamed into its file.
"""

from __future__ import annotations

import json.encoder
from collections.abc import Iterator
from typing import Any

INDENT = " "
CHUNK_CHARS = 1 << 16  # chunks of about this many characters: few writes, little memory
STREAMED_DEPTH = 2  # containers above this depth are split into one chunk per entry
encode_string = json.encoder.encode_basestring  # the C version if available, as json.dumps uses it
_CONSTANTS = {True: "true", False: "false", None: "null"}
_FLOATS = {float("inf"): "Infinity", float("-inf"): "-Infinity"}


class Indented(str):
    """A value's JSON text, already indented for the depth it is placed at: used as it is."""

    __slots__ = ()


def indented_json(value: Any) -> Iterator[str]:
    """The exact text of json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True), in chunks.

    Supports what json.dumps supports for dicts with string keys, lists, tuples and scalars.
    """
    pending: list[str] = []
    size = 0
    for part in _parts(value, 0):
        pending.append(part)
        size += len(part)
        if size >= CHUNK_CHARS:
            yield "".join(pending)
            pending, size = [], 0
    if pending:
        yield "".join(pending)


def _parts(value: Any, depth: int) -> Iterator[str]:
    """`value`'s text in pieces: one per entry of the outer containers, then whole entries."""
    if depth >= STREAMED_DEPTH or not isinstance(value, dict | list | tuple) or not value:
        yield _text(value, depth)
        return
    inner = "\n" + INDENT * (depth + 1)
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    yield opening
    separator = inner
    for key, item in _entries(value):
        yield separator if key is None else f"{separator}{_key(key)}: "
        yield from _parts(item, depth + 1)
        separator = "," + inner
    yield "\n" + INDENT * depth + closing


def _entries(value: dict[str, Any] | list[Any] | tuple[Any, ...]) -> Iterator[tuple[str | None, Any]]:
    if isinstance(value, dict):
        for key in sorted(value):
            yield key, value[key]
    else:
        for item in value:
            yield None, item


def _text(value: Any, depth: int) -> str:
    kind = type(value)  # exact types first: the common cases, cheaply
    if kind is Indented:
        return str(value)
    if kind is str:
        return encode_string(value)
    if kind is int:
        return int.__repr__(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + INDENT * (depth + 1)
        items = [f"{_key(key)}: {_text(value[key], depth + 1)}" for key in sorted(value)]
        return "{" + inner + ("," + inner).join(items) + "\n" + INDENT * depth + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + INDENT * (depth + 1)
        items = [encode_string(item) if type(item) is str else _text(item, depth + 1) for item in value]
        return "[" + inner + ("," + inner).join(items) + "\n" + INDENT * depth + "]"
    if isinstance(value, str):
        return encode_string(value)
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None or value is True or value is False:
        return _CONSTANTS[value]
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return "NaN" if value != value else _FLOATS.get(value) or float.__repr__(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _key(key: object) -> str:
    if type(key) is not str and not isinstance(key, str):
        raise TypeError(f"keys must be str here, not {type(key).__name__}")
    return encode_string(key)
