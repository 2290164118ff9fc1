"""Every password rule, for the default (Telford & Wrekin) and Durham's policy (seeds 003 and 004)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.passwords import MAX_LENGTH, PasswordPolicy, check_password, is_expired, not_recent

TELFORD = PasswordPolicy()
DURHAM = PasswordPolicy(
    min_length=9, require_upper=True, require_lower=True, require_digit=True, require_symbol=True
)


def rules(policy: PasswordPolicy, password: str) -> set[str]:
    return {f.rule for f in check_password(policy, password)}


@pytest.mark.parametrize(
    ("password", "failing"),
    [
        ("correct horse battery", set()),  # 21 chars, letters and spaces
        ("abcdefghijk1", set()),  # exactly 12
        ("abcdefghij1", {"min_length"}),  # 11
        ("abcdefghijkl", {"non_letter"}),  # letters only
        ("123456789012", {"letter"}),  # no letter
        ("!!!!!!!!!!!!", {"letter"}),
        ("short", {"min_length", "non_letter"}),
        ("", {"min_length", "letter", "non_letter"}),
        ("a" * MAX_LENGTH + "1", {"max_length"}),
        ("Ünïcödé-wörd", set()),  # letters are letters in any script
        ("            ", {"letter", "not_blank"}),
    ],
)
def test_telford_default_policy(password, failing):
    assert rules(TELFORD, password) == failing


@pytest.mark.parametrize(
    ("password", "failing"),
    [
        ("Abcdef1!x", set()),  # 9, all four classes
        ("Abcde1!x", {"min_length"}),
        ("abcdef1!x", {"upper"}),
        ("ABCDEF1!X", {"lower"}),
        ("Abcdefg!x", {"digit"}),
        ("Abcdefg1x", {"symbol"}),
        ("abcdefghi", {"upper", "digit", "symbol", "non_letter"}),
        ("12345678", {"min_length", "upper", "lower", "symbol", "letter"}),
    ],
)
def test_durham_policy(password, failing):
    assert rules(DURHAM, password) == failing


def test_every_failure_has_a_message_naming_the_rule():
    for failure in check_password(DURHAM, "x"):
        assert failure.message and failure.rule
        assert failure.as_error("new_password")["field"] == "new_password"


def test_the_history_rule_is_named_with_the_authoritys_count():
    assert "12" in not_recent(TELFORD).message
    assert not_recent(TELFORD).rule == "not_recent"


@pytest.mark.parametrize(
    ("age_days", "expiry_days", "expired"),
    [(89, 90, False), (90, 90, True), (400, 0, False), (31, 30, True)],
)
def test_expiry(age_days, expiry_days, expired):
    now = datetime(2026, 5, 1, tzinfo=UTC)
    policy = PasswordPolicy(expiry_days=expiry_days)
    assert is_expired(policy, now - timedelta(days=age_days), now) is expired


@pytest.mark.parametrize(
    "kwargs", [{"min_length": 4}, {"min_length": 500}, {"history": 0}, {"expiry_days": -1}]
)
def test_a_policy_cannot_be_weaker_than_the_floor(kwargs):
    with pytest.raises(ValueError):
        PasswordPolicy(**kwargs)


def test_describe_lists_every_active_rule():
    text = " ".join(DURHAM.describe())
    for word in ("9 characters", "upper-case", "lower-case", "digit", "symbol", "last 12"):
        assert word in text
