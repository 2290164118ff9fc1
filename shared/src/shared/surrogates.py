"""Half a UTF-16 surrogate pair in a JSON body: found before the body reaches a handler, so that it is
refused at its field (422) and never reaches PostgreSQL.

JSON writes a character outside the BMP as a pair of escapes ("\\ud83d\\ude00" is one emoji, and
`json.loads` joins it), but nothing stops a body carrying half a pair ("\\ud800", RFC 8259 8.2); Python
also reads one from raw bytes (it decodes a body with "surrogatepass") and from a body in UTF-16. Half a
pair is no character: UTF-8 cannot encode it, so asyncpg cannot send it (a 500) and PostgreSQL could not
store it. Where the app reads JSON (`shared.http`, `shared.bulk`) it asks `may_hold_half_pairs` of the
bytes first, so the parsed body is walked only for the rare one that may.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shared.errors import FieldError, Invalid

# An escape of a surrogate, or one written in raw bytes (UTF-8 refuses those, "surrogatepass" does not)
_ESCAPED = re.compile(rb"\\u[dD][89a-fA-F]")
_RAW = re.compile(rb"\xed[\xa0-\xbf]")
_HALF = re.compile("[\ud800-\udfff]")
Path = tuple[str | int, ...]


def may_hold_half_pairs(raw: bytes) -> bool:
    """Whether the body's bytes could parse to half a pair: cheap, and false for almost every body. A body
    in UTF-16 or UTF-32 (a NUL in its first four bytes, or its byte-order mark) may hold one unescaped."""
    if b"\x00" in raw[:4] or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return bool(_ESCAPED.search(raw) or _RAW.search(raw))  # two searches: faster than one alternation


@dataclass(frozen=True)
class HalfPair:
    path: Path  # keys and indexes from the top of the body; a half in a key ends at that key
    code_point: int
    in_name: bool  # in an object's key, not in a value

    @property
    def field(self) -> str:
        return field_path(self.path) or "body"

    @property
    def message(self) -> str:
        where = "its name contains" if self.in_name else "contains"
        return (
            f"{where} half of a UTF-16 surrogate pair (U+{self.code_point:04X}), which is not a character:"
            " remove it"
        )


def field_path(path: Path) -> str:
    """As the problems name a field ("lines.0.comment"); a key's own halves written as escapes, since the
    answer is UTF-8 too."""
    return ".".join(
        p.encode("utf-8", "backslashreplace").decode() if isinstance(p, str) else str(p) for p in path
    )


def half_pairs(value: object) -> Iterator[HalfPair]:
    """Every key and string of a parsed JSON value holding half a pair, in the body's order. A loop, not
    recursion: a body nested as deep as the parser allows must not overflow the stack here. Each node
    links to its parent, and a path is spelled out only for a half found (a bulk body has 10,000 items)."""
    stack: list[tuple[object, _Link, bool]] = [(value, None, False)]
    while stack:
        node, link, in_name = stack.pop()
        if isinstance(node, str):
            half = _HALF.search(node)
            if half is not None:
                yield HalfPair(_path(link), ord(half.group()), in_name)
        elif isinstance(node, dict):
            for key, item in reversed(node.items()):
                stack.append((item, (link, key), False))
                if _HALF.search(key):  # its name is read before its value
                    stack.append((key, (link, key), True))
        elif isinstance(node, list):
            stack.extend((item, (link, index), False) for index, item in reversed(list(enumerate(node))))


_Link = tuple[Any, str | int] | None  # (the parent's link, this node's key or index)


def _path(link: _Link) -> Path:
    steps: list[str | int] = []
    while link is not None:
        link, step = link
        steps.append(step)
    return tuple(reversed(steps))


def refuse_half_pairs(body: object) -> None:
    """422 naming each field that holds half a pair (as `Invalid.field` does; several: invalid-fields)."""
    halves = list(half_pairs(body))
    if len(halves) == 1:
        raise Invalid.field(halves[0].field, halves[0].message)
    if halves:
        raise Invalid.all_of([FieldError(h.field, h.message) for h in halves], code="invalid-fields")
