"""The rules of request and decide, without I/O: who may ask, see, decide and withdraw, and what a
decision needs. Each refusal is a domain error (shared.errors) in the business's words."""

from __future__ import annotations

from collections.abc import Iterable

from shared.auth import Principal, PrincipalKind
from shared.capabilities import Capability, require_capability
from shared.decisions.model import DecisionRequest, Status
from shared.errors import Conflict, Forbidden, Invalid

REASON_MAX = 1000


def require_asker(principal: Principal, capability: Capability, what: str) -> None:
    """A provider's person with Edit access and a role that gives `capability` (never an API key: a
    request is someone's word; never the council, which decides)."""
    require_capability(principal, capability, edit=True)
    if principal.is_council:
        raise Forbidden(f"the council decides {what}s; providers make them")
    if principal.kind is not PrincipalKind.user:
        raise Forbidden(f"{what}s are made by people, not API keys")


def require_viewer(principal: Principal, capabilities: Iterable[Capability]) -> None:
    """The council sees every request of its authority; a provider needs the kinds' capabilities."""
    if principal.is_council:
        return
    for capability in set(capabilities):
        require_capability(principal, capability)


def require_council(principal: Principal) -> None:
    if not principal.is_council:
        raise Forbidden("only the council can use the council API")


def require_decider(principal: Principal) -> None:
    """Council staff or a council system, with Edit access."""
    if not principal.is_council:
        raise Forbidden("only the council can do this")
    if not principal.can_edit:
        raise Forbidden("your council access is read-only")


def require_pending(request: DecisionRequest) -> None:
    """Only a pending request can be decided or withdrawn; once decided it stays as decided."""
    if request.status is not Status.pending:
        raise Conflict(f"this request has already been {request.status.value}", code="already-decided")


def approval_reason(reason: str | None) -> str | None:
    """An approval may say why (optional, unlike a rejection's): blank is none, at most REASON_MAX."""
    text = (reason or "").strip()
    if len(text) > REASON_MAX:
        raise Invalid.field("reason", f"must be {REASON_MAX} characters or fewer")
    return text or None


def rejection_reason(reason: str | None) -> str:
    """A rejection says why (the provider reads it): not blank, at most REASON_MAX characters."""
    text = (reason or "").strip()
    if not text:
        raise Invalid.field("reason", "give the reason for rejecting the request")
    if len(text) > REASON_MAX:
        raise Invalid.field("reason", f"must be {REASON_MAX} characters or fewer")
    return text


def require_withdrawer(principal: Principal, request: DecisionRequest) -> None:
    """Only the person who asked may take a request back (a colleague asks the council instead)."""
    if principal.is_council or request.requested_by != principal.subject:
        raise Forbidden("only the person who asked can withdraw a request")
