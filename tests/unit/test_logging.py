"""Secrets never reach a log line, whatever the key's case or nesting."""

from __future__ import annotations

import io
import json
import logging

import structlog

from shared.logging import REDACTED, configure_logging, get_logger
from tests.support.secrets import install_run_log


def capture(fn) -> list[dict]:
    stream = io.StringIO()
    configure_logging(service="t", level="INFO", json=True)
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(stream))
    try:
        fn()
    finally:
        configure_logging(service="tests", level="INFO", json=True)
        install_run_log()  # keep copying this process's logs into the run's log
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_secret_fields_are_redacted_at_any_depth():
    lines = capture(
        lambda: get_logger().info(
            "login_attempt",
            email="a@example.org",
            password="Tr0ub4dor&3",
            security_code="802417",
            headers={
                "Authorization": "Bearer abc.def",
                "Cookie": "portal_session=s3cr3t",
                "accept": "text/html",
            },
            attempts=[{"token": "tok-123"}],
        )
    )
    text = json.dumps(lines)
    for secret in ("Tr0ub4dor&3", "802417", "abc.def", "s3cr3t", "tok-123"):
        assert secret not in text
    line = lines[0]
    assert line["email"] == "a@example.org"
    assert line["password"] == REDACTED
    assert line["headers"]["accept"] == "text/html"
    assert line["headers"]["Authorization"] == REDACTED


def test_standard_library_logs_go_through_the_same_redaction(capsys):
    configure_logging(service="t", level="INFO", json=True)
    logging.getLogger("some.library").warning("connect failed", extra={"password": "pw-in-extra"})
    err = capsys.readouterr().err
    configure_logging(service="tests", level="INFO", json=True)
    assert "connect failed" in err
    assert "pw-in-extra" not in err


def test_logging_configured_while_stderr_was_swapped_writes_to_the_stderr_of_the_moment(monkeypatch):
    """A test's capture (closed after it) configured logging: later lines go to the real stderr, not
    to the closed stream (which raised "I/O operation on closed file" in whichever test logged next)."""
    swapped, later = io.StringIO(), io.StringIO()
    with monkeypatch.context() as patch:
        patch.setattr("sys.stderr", swapped)
        configure_logging(service="tests", level="INFO", json=True)
    swapped.close()
    monkeypatch.setattr("sys.stderr", later)
    try:
        get_logger().info("after_the_capture")
        logging.getLogger("some.library").warning("library_after_the_capture")
    finally:
        configure_logging(service="tests", level="INFO", json=True)
        install_run_log()
    assert "after_the_capture" in later.getvalue()
    assert "library_after_the_capture" in later.getvalue()
