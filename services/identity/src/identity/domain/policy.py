"""An authority's security policy: passwords, lockout, inactivity and session timeouts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from identity.domain.passwords import PasswordPolicy


class LockReason(StrEnum):
    password_failures = "password_failures"
    code_failures = "code_failures"
    inactivity = "inactivity"
    council = "council"


@dataclass(frozen=True)
class AuthorityPolicy:
    password: PasswordPolicy = field(default_factory=PasswordPolicy)
    max_password_failures: int = 3
    max_code_failures: int = 3
    inactivity_lock_days: int = 30  # 0: never
    session_idle_minutes: int = 30
    session_absolute_minutes: int = 600

    def __post_init__(self) -> None:
        if not 1 <= self.max_password_failures <= 10 or not 1 <= self.max_code_failures <= 10:
            raise ValueError("failure limits must be between 1 and 10")
        if not 1 <= self.session_idle_minutes <= self.session_absolute_minutes:
            raise ValueError("the idle timeout must be at least 1 minute and not above the absolute one")


def is_inactive(policy: AuthorityPolicy, last_active_at: datetime, now: datetime) -> bool:
    """Not used for the authority's number of days (seed 003: 30 days locks the account)."""
    return policy.inactivity_lock_days > 0 and now - last_active_at >= timedelta(
        days=policy.inactivity_lock_days
    )


def session_expiry(policy: AuthorityPolicy, created_at: datetime, last_seen_at: datetime) -> datetime:
    """When a session ends if nothing else happens: idle timeout, capped by the absolute one."""
    return min(
        last_seen_at + timedelta(minutes=policy.session_idle_minutes),
        created_at + timedelta(minutes=policy.session_absolute_minutes),
    )
