"""The secrets a test run handles, and the check that none of them reached a log.

Two nets: patterns that match any token, session id, journey id, API key, client secret or password
hash whoever made it; and the passwords and security codes the tests typed (they have no pattern),
registered with `remember`. The test process's own logs are teed into a file (`install_run_log`) so
that they are scanned with the logs of every process of the stack.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, TextIO

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


def _remembered_pattern() -> re.Pattern[str] | None:
    """One pattern for every remembered secret (one per secret would be compiled again for each line of
    a whole run's logs). Short numeric codes would match inside timestamps and hex ids: only whole tokens;
    the longest first, so a secret that begins another is not found in its place."""
    known = sorted((v for v in KNOWN if len(v) >= 6), key=len, reverse=True)
    if not known:
        return None
    return re.compile(r"(?<![0-9A-Za-z.])(" + "|".join(map(re.escape, known)) + r")(?![0-9A-Za-z])")


def find_leaks(text: str) -> list[str]:
    """Where secrets are in `text`: the kind of secret and the log event, never the secret itself."""
    remembered = _remembered_pattern()
    found = []
    for line in text.splitlines():
        kinds = [kind for kind, p in PATTERNS.items() if p.search(line)]
        if remembered is not None:
            kinds += [
                f"a remembered secret of {len(m.group(1))} characters" for m in remembered.finditer(line)
            ]
        if kinds:
            event = re.search(r'"event": "([^"]{0,80})', line)
            service = re.search(r'"service": "([^"]{0,40})', line)
            what = event.group(1) if event else repr(line[:60])
            where = f"{service.group(1) if service else '?'}/{what}"
            found += [f"{kind} in {where}" for kind in kinds]
    return found


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
