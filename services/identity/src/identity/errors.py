"""The refusals identity's handlers raise, in the business's words (`shared.errors` domain errors).

The edge (`shared.problems`) maps each to problem+json in one place. Each `code` gives the problem a
stable `type` (urn:provider-portal:problem:<code>), so that the pages and clients can tell them apart
without parsing the English; the statuses, titles and headers are those identity has always answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from identity.domain.rules import RuleFailure
from shared.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
    Unavailable,
)


class SupportContact(Protocol):
    """Whom a locked-out user asks: an authority's name and support contact."""

    @property
    def name(self) -> str: ...
    @property
    def support_email(self) -> str | None: ...
    @property
    def support_phone(self) -> str | None: ...


@dataclass(frozen=True)
class RuleError(FieldError):
    """A field that breaks a named rule (the pages show every failure at once)."""

    rule: str = ""

    def as_dict(self) -> dict[str, str]:
        return {**super().as_dict(), "rule": self.rule}


def invalid_credentials() -> Unauthenticated:
    """The same answer for an unknown e-mail and a wrong password."""
    return Unauthenticated(
        "Check your e-mail address and password and try again.",
        title="Your e-mail or password is not right",
        code="invalid-credentials",
    )


def account_locked(authority: SupportContact) -> Forbidden:
    """Says only that this account is locked and whom to ask; nothing about any other account."""
    contact = authority.support_email or authority.support_phone
    who = authority.name + (f" at {contact}" if contact else "")
    return Forbidden(f"Contact {who} to unlock it.", title="This account is locked", code="account-locked")


def wrong_code() -> Unauthenticated:
    return Unauthenticated(
        "Enter the digits at the positions asked for, from your six-digit security code.",
        title="Those digits are not right",
        code="wrong-security-code",
    )


def journey_expired() -> Unauthenticated:
    return Unauthenticated(
        "The login was finished, replaced by a newer one, or took too long. Log in again.",
        title="This login has ended",
        code="login-ended",
    )


def wrong_step(current: str, requested: str) -> Conflict:
    return Conflict(
        f"This login is waiting for step {current!r}, not {requested!r}.",
        title="This login is at another step",
        code="wrong-step",
    )


def session_ended() -> Unauthenticated:
    return Unauthenticated(
        "You have logged out, or the session timed out. Log in again.",
        title="Your session has ended",
        code="session-ended",
        challenge=True,
    )


# A rule's message that starts with one of these is about the thing itself ("must be 6 digits"); others
# are sentences of their own ("no digit may appear more than 4 times").
_VERBS = frozenset({"must", "is", "has", "can", "cannot", "may", "needs"})


def _said(what: str, message: str) -> str:
    if message.split(" ", 1)[0] in _VERBS:
        return f"The {what} {message}"
    return message[:1].upper() + message[1:]


def rules_failed(field: str, what: str, failures: list[RuleFailure]) -> Invalid:
    """422 naming every rule that failed, in `detail` (a sentence each: "The new password must be at least
    12 characters long. The two passwords you typed are not the same.") and one entry each in `errors`."""
    return Invalid(
        ". ".join(_said(what, f.message) for f in failures) + ".",
        title=f"Your {what} does not meet the rules",
        code="rules-not-met",
        fields=[RuleError(field, f.message, rule=f.rule) for f in failures],
    )


def wrong_current_password() -> Forbidden:
    return Forbidden(
        "Type the password you logged in with.",
        title="Your current password is not right",
        code="wrong-current-password",
        fields=[FieldError("current_password", "is not your current password")],
    )


def rate_limited(retry_after: int, what: str) -> TooManyAttempts:
    """ "Too many login attempts: try again in 11 minutes." (the exact seconds are in Retry-After)."""
    return TooManyAttempts(
        f"Too many {what} attempts: try again in {wait_text(retry_after)}.", retry_after=retry_after
    )


def wait_text(seconds: int) -> str:
    """A wait as a person says it: whole minutes (rounded up) from a minute on, else seconds."""
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def invalid_field(field: str, message: str) -> Invalid:
    """422 naming the one body field that is wrong and why (as the validation errors do)."""
    return Invalid.field(field, message)


def api_key_refused(detail: str) -> Unauthenticated:
    return Unauthenticated(detail, code="invalid-api-key")


def not_found(what: str) -> NotFound:
    return NotFound.of(what)


def forbidden(detail: str) -> Forbidden:
    return Forbidden(detail)


def conflict(detail: str) -> Conflict:
    return Conflict(detail)


def unknown_authority(slug: str) -> NotFound:
    return NotFound(f"There is no portal {slug!r}.", code="unknown-authority")


def bad_scope(detail: str) -> NotFound:
    """A scope id that is not in the organisation: 404 like any id the caller may not see."""
    return NotFound(
        detail, title="The scope is not valid", code="bad-scope", fields=[FieldError("scope_id", detail)]
    )


def bad_request(detail: str) -> BadRequest:
    return BadRequest(detail)


def bad_policy(detail: str) -> Invalid:
    return Invalid(detail, title="The policy is not valid", code="bad-policy")


def nothing_changed(what: str) -> Invalid:
    return Invalid(f"These are already the {what}.", title="Nothing to change", code="nothing-changed")


def security_code_unreadable() -> Unavailable:
    """No configured key opens the stored code: an operator's fix (the key that sealed it), not the user's."""
    return Unavailable(
        "Your security code cannot be checked just now. Try again later; if this goes on, contact your council.",
        title="Your security code cannot be checked",
        code="security-code-unreadable",
    )
