"""JSON text rules shared by the codec (what it writes) and the stores (what they accept).

Rules:
1. JSON text is nested at most ``MAX_DEPTH`` levels deep (each array or object opens a
   level). Decoders recurse once per level on the Python stack, so a deeper text may
   decode in one call and raise ``RecursionError`` in a deeper one: a stream holding it
   could be written once and never loaded again. The limit leaves most of Python's
   default recursion limit (1000) to the caller and stays below pydantic's own (200).
2. Text handed to a store is valid UTF-8 JSON; metadata is a JSON object.

This module is a leaf like ``_errors``: it imports nothing from fabula, so the codec and
the stores (which must not import each other) both use it.
"""

from __future__ import annotations

import re
from itertools import accumulate

import msgspec

__all__ = ["MAX_DEPTH", "json_text_problem", "too_deep"]

MAX_DEPTH = 100
"""The deepest nesting of arrays and objects fabula writes or accepts in JSON text."""

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [1 if b in b"[{" else -1 for b in range(256)]
_decoder: msgspec.json.Decoder[object] = msgspec.json.Decoder()


def too_deep(text: bytes, /) -> bool:
    """Tell whether JSON ``text`` nests arrays and objects more than ``MAX_DEPTH`` deep."""
    # Short text, or fewer opening brackets than the limit, cannot nest past it: the
    # common case, decided in C.
    if len(text) <= 2 * MAX_DEPTH or text.count(b"[") + text.count(b"{") <= MAX_DEPTH:
        return False
    brackets = _STRING.sub(b"", text).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


def json_text_problem(text: object, /, *, object_only: bool = False) -> str | None:
    """Say what keeps ``text`` from being JSON text a store may keep, or ``None`` if nothing.

    ``object_only`` asks for a JSON object (as metadata must be). The text is parsed once
    and never changed.
    """
    if not isinstance(text, str):
        return f"is a {type(text).__name__}, not JSON text"
    if text == "{}":
        return None
    try:
        raw = text.encode()
    except UnicodeEncodeError:
        return "is not valid UTF-8 (it holds a lone surrogate)"
    if too_deep(raw):
        return f"nests arrays and objects more than {MAX_DEPTH} levels deep"
    try:
        value = _decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError) as exc:
        return f"is not valid JSON ({exc})"
    if object_only and not isinstance(value, dict):
        return f"is not a JSON object (it is a JSON {_json_kind(value)})"
    return None


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "boolean" if isinstance(value, bool) else "number"
