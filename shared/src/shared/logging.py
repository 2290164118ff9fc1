"""structlog set-up: JSON off a terminal, console on one; ids bound per request and per message;
secrets redacted before any renderer sees them."""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog
from opentelemetry import trace

# Any key that contains one of these words has its value replaced, whatever its nesting.
SECRET_KEY = re.compile(
    r"pass(word)?|secret|security_code|code_digits|token|authori[sz]ation|cookie|session_id|api_key|dsn|_url$",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


@functools.lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """Cached: log lines reuse a few hundred keys, and the search ran for each key of each line."""
    return SECRET_KEY.search(key) is not None


def redact(value: Any, *, depth: int = 0) -> Any:
    """Return `value` with every secret-looking key's value replaced (dicts and lists, recursively)."""
    if depth > 6:
        return value
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if isinstance(k, str) and is_secret_key(k) else redact(v, depth=depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v, depth=depth + 1) for v in value]
    return value


def _redact_processor(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key == "event":
            continue
        if is_secret_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = redact(event_dict[key])
    return event_dict


def _add_trace_ids(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event_dict.setdefault("trace_id", format(ctx.trace_id, "032x"))
        event_dict.setdefault("span_id", format(ctx.span_id, "016x"))
    return event_dict


class _CurrentStderr:
    """Whatever `sys.stderr` is when a line is written, not when logging was configured: a stream
    swapped for a while (a test's capture, closed after it) never becomes the place every later line
    goes to."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


CURRENT_STDERR = _CurrentStderr()


def configure_logging(*, service: str, level: str = "INFO", json: bool | None = None) -> None:
    """Configure structlog and route the standard library's logging (uvicorn, aio-pika) through it."""
    as_json = (not sys.stderr.isatty()) if json is None else json
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_trace_ids,
        _redact_processor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(CURRENT_STDERR),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    handler = logging.StreamHandler(CURRENT_STDERR)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            # `extra=` fields must be added before the redaction step, not after it.
            foreign_pre_chain=[*shared[:-1], structlog.stdlib.ExtraAdder(), _redact_processor],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log repeats what our request middleware logs, with the query string.
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("aio_pika", "aiormq"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
