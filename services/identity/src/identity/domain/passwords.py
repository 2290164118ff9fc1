"""Password rules, per authority (DOMAIN.md "Login and credentials"; seeds 003 and 004).

The defaults are Telford & Wrekin's: at least 12 characters, a letter and a non-letter, expiry after
90 days, none of the last 12. Durham asks at least 9 with upper, lower, digit and symbol. The history
check needs the stored hashes, so it is done by the caller and reported with `not_recent()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from identity.domain.rules import RuleFailure

# Whatever an authority configures: a cap keeps argon2's input bounded (NIST SP 800-63B allows >= 64).
MAX_LENGTH = 128
MIN_ALLOWED_LENGTH = 8


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 12
    require_letter: bool = True
    require_non_letter: bool = True
    require_upper: bool = False
    require_lower: bool = False
    require_digit: bool = False
    require_symbol: bool = False
    expiry_days: int = 90  # 0: never expires
    history: int = 12  # how many previous passwords may not be reused (at least the last one)

    def __post_init__(self) -> None:
        if not MIN_ALLOWED_LENGTH <= self.min_length <= MAX_LENGTH:
            raise ValueError(f"min_length must be between {MIN_ALLOWED_LENGTH} and {MAX_LENGTH}")
        if not 1 <= self.history <= 24:
            raise ValueError("history must be between 1 and 24")
        if self.expiry_days < 0:
            raise ValueError("expiry_days cannot be negative")

    def describe(self) -> list[str]:
        """The rules as a user would read them next to the form."""
        lines = [f"at least {self.min_length} characters (at most {MAX_LENGTH})"]
        wanted = [
            (self.require_letter, "a letter"),
            (self.require_non_letter, "a character that is not a letter"),
            (self.require_upper, "an upper-case letter"),
            (self.require_lower, "a lower-case letter"),
            (self.require_digit, "a digit"),
            (self.require_symbol, "a symbol"),
        ]
        lines += [f"at least {what}" for needed, what in wanted if needed]
        lines.append(f"not the same as any of your last {self.history} passwords")
        return lines


def _is_symbol(ch: str) -> bool:
    return not ch.isalnum()


def check_password(policy: PasswordPolicy, password: str) -> list[RuleFailure]:
    """Every rule of `policy` that `password` breaks (empty when it is acceptable)."""
    failures = []
    if len(password) < policy.min_length:
        failures.append(RuleFailure("min_length", f"must be at least {policy.min_length} characters long"))
    if len(password) > MAX_LENGTH:
        failures.append(RuleFailure("max_length", f"must be at most {MAX_LENGTH} characters long"))
    checks = [
        (policy.require_letter, any(c.isalpha() for c in password), "letter", "must contain a letter"),
        (
            policy.require_non_letter,
            any(not c.isalpha() for c in password),
            "non_letter",
            "must contain a character that is not a letter",
        ),
        (
            policy.require_upper,
            any(c.isupper() for c in password),
            "upper",
            "must contain an upper-case letter",
        ),
        (
            policy.require_lower,
            any(c.islower() for c in password),
            "lower",
            "must contain a lower-case letter",
        ),
        (policy.require_digit, any(c.isdigit() for c in password), "digit", "must contain a digit"),
        (policy.require_symbol, any(_is_symbol(c) for c in password), "symbol", "must contain a symbol"),
    ]
    failures += [RuleFailure(rule, message) for needed, ok, rule, message in checks if needed and not ok]
    if password.strip() == "" and password:
        failures.append(RuleFailure("not_blank", "cannot be only spaces"))
    return failures


def not_recent(policy: PasswordPolicy) -> RuleFailure:
    """The failure of the history rule, found by the caller against the stored hashes."""
    return RuleFailure(
        "not_recent", f"must not be the same as your current password or any of your last {policy.history}"
    )


def mismatch() -> RuleFailure:
    return RuleFailure("confirmation", "the two passwords you typed are not the same")


def is_expired(policy: PasswordPolicy, changed_at: datetime, now: datetime) -> bool:
    return policy.expiry_days > 0 and now - changed_at >= timedelta(days=policy.expiry_days)
