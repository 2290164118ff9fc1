"""The net that the whole run's logs pass through (tests/support/secrets.py) catches what it must and
only that."""

from __future__ import annotations

import pytest

from tests.support import secrets


@pytest.fixture
def remembered(monkeypatch):
    monkeypatch.setattr(secrets, "KNOWN", set())
    secrets.remember("a wrong guess 1", "482916", "482916extra")


def test_a_remembered_secret_in_a_log_line_is_found_by_kind_and_event_never_shown(remembered):
    line = '{"event": "login_failed", "service": "identity", "password": "a wrong guess 1"}'
    found = secrets.find_leaks(line)
    assert found == ["a remembered secret of 15 characters in identity/login_failed"]
    assert "a wrong guess 1" not in found[0]


def test_a_secret_that_begins_another_is_found_in_its_own_place(remembered):
    assert secrets.find_leaks('{"event": "e", "service": "s", "code": "482916extra"}') == [
        "a remembered secret of 11 characters in s/e"
    ]


def test_digits_inside_a_longer_token_are_not_a_code(remembered):
    assert (
        secrets.find_leaks('{"event": "e", "timestamp": "2026-11-30T00:16:13.482916Z", "id": "a482916b"}')
        == []
    )


def test_tokens_are_found_by_pattern_without_being_remembered(remembered):
    token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLWJ5dGVz"
    assert secrets.find_leaks(f'{{"event": "e", "service": "s", "auth": "{token}"}}') == ["token in s/e"]


def test_each_leak_is_told_with_its_own_lines_event_in_the_order_of_the_lines(remembered):
    token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLWJ5dGVz"
    text = "\n".join(
        [
            '{"event": "quiet", "service": "gateway"}',
            '{"event": "login_failed", "service": "identity", "password": "a wrong guess 1"}',
            '{"event": "quiet again", "service": "gateway", "at": "2026-11-30T00:16:13.482916Z"}',
            f'{{"event": "proxied", "service": "gateway", "auth": "{token}", "code": "482916"}}',
        ]
    )
    assert secrets.find_leaks(text) == [
        "a remembered secret of 15 characters in identity/login_failed",
        "token in gateway/proxied",
        "a remembered secret of 6 characters in gateway/proxied",
    ]


def test_a_secret_at_the_very_start_or_end_of_the_text_is_found(remembered):
    assert secrets.find_leaks("482916") == ["a remembered secret of 6 characters in ?/'482916'"]
