"""The problems identity answers with (RFC 9457). Each `type` is stable, so that the pages and
clients can tell them apart without parsing the English."""

from __future__ import annotations

from typing import Any

from identity.domain.rules import RuleFailure
from shared.problems import Problem

BASE = "urn:provider-portal:problem:"


def invalid_credentials() -> Problem:
    """The same answer for an unknown e-mail and a wrong password."""
    return Problem(
        401,
        "Your e-mail or password is not right",
        type_=BASE + "invalid-credentials",
        detail="Check your e-mail address and password and try again.",
    )


def account_locked(authority: dict[str, Any]) -> Problem:
    """Says only that this account is locked and whom to ask; nothing about any other account."""
    contact = authority.get("support_email") or authority.get("support_phone")
    who = f"{authority['name']}" + (f" at {contact}" if contact else "")
    return Problem(
        403,
        "This account is locked",
        type_=BASE + "account-locked",
        detail=f"Contact {who} to unlock it.",
    )


def wrong_code() -> Problem:
    return Problem(
        401,
        "Those digits are not right",
        type_=BASE + "wrong-security-code",
        detail="Enter the digits at the positions asked for, from your six-digit security code.",
    )


def journey_expired() -> Problem:
    return Problem(
        401,
        "This login has ended",
        type_=BASE + "login-ended",
        detail="The login was finished, replaced by a newer one, or took too long. Log in again.",
    )


def wrong_step(current: str, requested: str) -> Problem:
    return Problem(
        409,
        "This login is at another step",
        type_=BASE + "wrong-step",
        detail=f"This login is waiting for step {current!r}, not {requested!r}.",
    )


def session_ended() -> Problem:
    return Problem(
        401,
        "Your session has ended",
        type_=BASE + "session-ended",
        detail="You have logged out, or the session timed out. Log in again.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def rules_failed(field: str, what: str, failures: list[RuleFailure]) -> Problem:
    """422 naming every rule that failed, in `detail` and one entry each in `errors`."""
    return Problem(
        422,
        f"Your {what} does not meet the rules",
        type_=BASE + "rules-not-met",
        detail=f"The {what} " + "; ".join(f.message for f in failures) + ".",
        errors=[f.as_error(field) for f in failures],
    )


def wrong_current_password() -> Problem:
    return Problem(
        403,
        "Your current password is not right",
        type_=BASE + "wrong-current-password",
        detail="Type the password you logged in with.",
        errors=[{"source": "body", "field": "current_password", "message": "is not your current password"}],
    )


def rate_limited(retry_after: int, what: str) -> Problem:
    return Problem(
        429,
        "Too many attempts",
        type_=BASE + "rate-limited",
        detail=f"Too many {what} attempts. Try again in {retry_after} seconds.",
        headers={"Retry-After": str(retry_after)},
    )


def invalid_field(field: str, message: str) -> Problem:
    """422 naming the one body field that is wrong and why (as the validation errors do)."""
    return Problem(
        422,
        "Unprocessable Content",
        type_=BASE + "invalid-field",
        detail=f"{field}: {message}",
        errors=[{"source": "body", "field": field, "message": message}],
    )


def api_key_refused(detail: str) -> Problem:
    return Problem(401, "Unauthorized", type_=BASE + "invalid-api-key", detail=detail)


def not_found(what: str) -> Problem:
    return Problem(404, "Not Found", detail=f"There is no {what} with that id that you can see.")


def forbidden(detail: str) -> Problem:
    return Problem(403, "Forbidden", detail=detail)


def conflict(detail: str) -> Problem:
    return Problem(409, "Conflict", detail=detail)


def unknown_authority(slug: str) -> Problem:
    return Problem(404, "Not Found", type_=BASE + "unknown-authority", detail=f"There is no portal {slug!r}.")


def bad_scope(detail: str) -> Problem:
    """A scope id that is not in the organisation: 404 like any id the caller may not see."""
    return Problem(
        404,
        "The scope is not valid",
        type_=BASE + "bad-scope",
        detail=detail,
        errors=[{"source": "body", "field": "scope_id", "message": detail}],
    )


def bad_request(detail: str) -> Problem:
    return Problem(400, "Bad Request", detail=detail)


def bad_policy(detail: str) -> Problem:
    return Problem(422, "The policy is not valid", type_=BASE + "bad-policy", detail=detail)


def nothing_changed(what: str) -> Problem:
    return Problem(
        422, "Nothing to change", type_=BASE + "nothing-changed", detail=f"These are already the {what}."
    )
