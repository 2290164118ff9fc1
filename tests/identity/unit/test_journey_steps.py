"""The order of login steps, and the lockout and session rules around them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from identity.domain.journey import ChangeReason, Credentials, Step, change_reason, step_after_password
from identity.domain.passwords import PasswordPolicy
from identity.domain.policy import AuthorityPolicy, is_inactive, session_expiry

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
POLICY = PasswordPolicy()


@pytest.mark.parametrize(
    ("must_change", "age_days", "has_code", "step", "reason"),
    [
        (True, 0, False, Step.change_password, ChangeReason.temporary),  # first login
        (True, 0, True, Step.change_password, ChangeReason.temporary),  # reset by the council
        (False, 90, True, Step.change_password, ChangeReason.expired),
        (False, 10, False, Step.set_security_code, None),
        (False, 10, True, Step.security_code_challenge, None),
    ],
)
def test_step_after_password(must_change, age_days, has_code, step, reason):
    creds = Credentials(must_change, NOW - timedelta(days=age_days), has_code)
    assert step_after_password(POLICY, creds, NOW) is step
    assert change_reason(POLICY, creds, NOW) == reason


@pytest.mark.parametrize(("days", "locked"), [(29, False), (30, True), (365, True)])
def test_inactivity(days, locked):
    assert is_inactive(AuthorityPolicy(), NOW - timedelta(days=days), NOW) is locked
    assert is_inactive(AuthorityPolicy(inactivity_lock_days=0), NOW - timedelta(days=days), NOW) is False


def test_session_expiry_is_idle_capped_by_absolute():
    policy = AuthorityPolicy(session_idle_minutes=30, session_absolute_minutes=60)
    created = NOW
    assert session_expiry(policy, created, created) == NOW + timedelta(minutes=30)
    assert session_expiry(policy, created, NOW + timedelta(minutes=50)) == NOW + timedelta(minutes=60)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_password_failures": 0},
        {"max_code_failures": 11},
        {"session_idle_minutes": 0},
        {"session_idle_minutes": 90, "session_absolute_minutes": 60},
    ],
)
def test_policy_bounds(kwargs):
    with pytest.raises(ValueError):
        AuthorityPolicy(**kwargs)
