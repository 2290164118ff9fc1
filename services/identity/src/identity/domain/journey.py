"""The steps of a login and the order they come in (DESIGN.md "Security model").

password -> [change_password] -> [set_security_code] -> security_code_challenge -> done
A first login (administrator-assigned password) changes it and sets a code, and is then done; a login
with an expired password changes it and answers the challenge. The server keeps the step: a request for
any other step is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from identity.domain.passwords import PasswordPolicy, is_expired


class Step(StrEnum):
    change_password = "change_password"
    set_security_code = "set_security_code"
    security_code_challenge = "security_code_challenge"
    done = "done"


class ChangeReason(StrEnum):
    temporary = "temporary"  # assigned by an administrator
    expired = "expired"


@dataclass(frozen=True)
class Credentials:
    must_change_password: bool
    password_changed_at: datetime
    has_security_code: bool


def change_reason(policy: PasswordPolicy, creds: Credentials, now: datetime) -> ChangeReason | None:
    if creds.must_change_password:
        return ChangeReason.temporary
    if is_expired(policy, creds.password_changed_at, now):
        return ChangeReason.expired
    return None


def step_after_password(policy: PasswordPolicy, creds: Credentials, now: datetime) -> Step:
    if change_reason(policy, creds, now) is not None:
        return Step.change_password
    return step_after_password_change(creds)


def step_after_password_change(creds: Credentials) -> Step:
    return Step.security_code_challenge if creds.has_security_code else Step.set_security_code
