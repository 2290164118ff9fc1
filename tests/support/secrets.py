"""The secrets a test run handles, and the check that none of them reached a log.

Two nets: patterns that match any token, session id, journey id, API key, client secret or password
hash whoever made it; and the passwords and security codes the tests typed (they have no pattern),
registered with `remember`. The test process's own logs are teed into a file (`install_run_log`) so
that they are scanned with the logs of every process of the stack.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import ahocorasick
import structlog

PATTERNS = {
    "token": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    "opaque id or key": re.compile(r"(?<![A-Za-z0-9])(?:ps|lj|ppk|ccs)_[A-Za-z0-9_-]{30,}"),
    "password hash": re.compile(r"\$argon2id?\$"),
}
KNOWN: set[str] = set()
_RUN_LOG: dict[str, Path] = {}


def remember(*values: Any) -> None:
    """Passwords, codes and other secrets a test used: none may appear in any log."""
    KNOWN.update(str(v) for v in values if v)


def remember_fields(body: Any) -> None:
    """Remember every value of a JSON body whose key names a secret."""
    if isinstance(body, dict):
        for key, value in body.items():
            secret_key = re.search(r"password|code|secret|api_key|session_id|journey_id|token", key)
            if secret_key and isinstance(value, str) and not key.endswith("_at"):
                remember(value)
            remember_fields(value)


# A remembered secret counts as a whole token: not inside a longer run of letters and digits (short
# numeric codes would otherwise match inside timestamps and hex ids).
_BEFORE = re.compile(r"[0-9A-Za-z.]")
_AFTER = re.compile(r"[0-9A-Za-z]")


def _remembered_matches(text: str) -> Iterator[tuple[int, str]]:
    """(where, secret) of each remembered secret in `text`, leftmost first and the longest at a place, as a
    regular expression of them all would find them, but in one pass of an Aho-Corasick automaton: the
    expression tried each of some hundreds of secrets at every place of a whole run's logs (12 s for
    38 MB at the end of every worker)."""
    known = {v for v in KNOWN if len(v) >= 6}
    if not known:
        return
    automaton = ahocorasick.Automaton()
    for secret in known:
        automaton.add_word(secret, secret)
    automaton.make_automaton()
    found = []
    for last, secret in automaton.iter(text):
        first = last - len(secret) + 1
        if first > 0 and _BEFORE.match(text[first - 1]):
            continue
        if last + 1 < len(text) and _AFTER.match(text[last + 1]):
            continue
        found.append((first, secret))
    found.sort(key=lambda match: (match[0], -len(match[1])))
    after = 0
    for first, secret in found:
        if first >= after:
            yield first, secret
            after = first + len(secret)


def find_leaks(text: str) -> list[str]:
    """Where secrets are in `text`: the kind of secret and the log event, never the secret itself."""
    found: list[tuple[int, int, str]] = []  # (the line's start, the kind's order, the kind)
    for order, (kind, pattern) in enumerate(PATTERNS.items()):
        found += [(_line_start(text, m.start()), order, kind) for m in pattern.finditer(text)]
    found += [
        (_line_start(text, where), len(PATTERNS), f"a remembered secret of {len(secret)} characters")
        for where, secret in _remembered_matches(text)
    ]
    leaks = []
    for line_start, _order, kind in sorted(found):
        line_end = text.find("\n", line_start)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        event = re.search(r'"event": "([^"]{0,80})', line)
        service = re.search(r'"service": "([^"]{0,40})', line)
        what = event.group(1) if event else repr(line[:60])
        leaks.append(f"{kind} in {service.group(1) if service else '?'}/{what}")
    return leaks


def _line_start(text: str, where: int) -> int:
    return text.rfind("\n", 0, where) + 1


class _Tee:
    def __init__(self, first: TextIO, second: TextIO) -> None:
        self.first, self.second = first, second

    def write(self, text: str) -> int:
        self.second.write(text)
        return self.first.write(text)

    def flush(self) -> None:
        self.first.flush()
        self.second.flush()


def install_run_log(path: Path | None = None) -> None:
    """Copy every log line of this process into the run log too (call again after reconfiguring)."""
    if path is not None:
        _RUN_LOG["path"] = path
    if "path" not in _RUN_LOG:
        return
    sink = _RUN_LOG["path"].open("a", buffering=1)
    factory = structlog.get_config()["logger_factory"]
    target = getattr(factory, "_file", None)
    if target is not None and not isinstance(target, _Tee):
        structlog.configure(logger_factory=structlog.PrintLoggerFactory(_Tee(target, sink)))
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler.stream, _Tee):
            handler.setStream(_Tee(handler.stream, sink))


def run_log() -> str:
    path = _RUN_LOG.get("path")
    return path.read_text(errors="replace") if path and path.exists() else ""
