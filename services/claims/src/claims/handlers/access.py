"""Who may see and change a provider's claims, the claim found within the caller's scope, and the
write protocol every change follows: lock the claim, refuse unless it is unsubmitted (409) and the
caller started from its latest version (409), then bump the version with the change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import asyncpg

from claims.store import claims
from claims.store.records import ClaimRow
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.errors import Conflict, FieldError, Forbidden, Invalid, NotFound

UK = ZoneInfo("Europe/London")
T = TypeVar("T")


def today() -> date:
    """The date in the UK, where the councils' claims are dated."""
    return datetime.now(UK).date()


def require_viewer(principal: Principal) -> None:
    """A provider's person or key whose role gives one-off claims (the council has its own API)."""
    if principal.is_council:
        raise Forbidden("the council reads claims through the council API")
    require_capability(principal, Capability.one_off_claims)


def require_editor(principal: Principal) -> None:
    """As `require_viewer`, with Edit access: read-only users see claims but do not change them."""
    require_viewer(principal)
    require_capability(principal, Capability.one_off_claims, edit=True)


async def find_claim(
    conn: asyncpg.Connection, principal: Principal, claim_id: uuid.UUID, *, lock: bool = False
) -> ClaimRow:
    """The claim within the caller's scope; 404 for any other id (another tenant's included)."""
    found = await claims.get(conn, scope=claims.claim_scope(principal), claim_id=claim_id, lock=lock)
    if found is None:
        raise NotFound.of("claim")
    return found


def require_unsubmitted(claim: ClaimRow) -> None:
    """Only a draft changes; a submitted claim is changed by nobody but the council's decision."""
    if claim.status != "unsubmitted":
        when = claim.submitted_at.astimezone(UK) if claim.submitted_at else None
        on = f" on {when.day} {when:%B %Y}" if when else ""
        raise Conflict(f"this claim was submitted{on}: it can no longer be changed", code="claim-submitted")


def require_version(claim: ClaimRow, given: int) -> None:
    if claim.version != given:
        raise Conflict(
            f"the claim was changed by someone else (version {given} is not the latest, {claim.version}):"
            " reload it and make your change again",
            code="stale-version",
        )


async def writable_claim(
    conn: asyncpg.Connection, principal: Principal, claim_id: uuid.UUID, version: int
) -> ClaimRow:
    """The claim locked for this transaction, unsubmitted and at the version the caller started from."""
    claim = await find_claim(conn, principal, claim_id, lock=True)
    require_unsubmitted(claim)
    require_version(claim, version)
    return claim


class Checks:
    """Every field's refusal of one request at once (the page shows them all in its error summary)."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.refusals: list[Invalid] = []

    def run(self, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except Invalid as refused:
            self.add(refused)
            return None

    def add(self, refused: Invalid) -> None:
        self.refusals.append(refused)
        self.errors.extend(refused.fields or [FieldError("body", refused.detail)])

    def refuse(self, field: str, message: str, *, code: str = "invalid-field") -> None:
        self.add(Invalid.field(field, message, code=code))

    def raise_any(self) -> None:
        if len(self.refusals) == 1:
            raise self.refusals[0]  # one refusal keeps its own code
        if self.errors:
            raise Invalid.all_of(list(self.errors), code="invalid-fields")
