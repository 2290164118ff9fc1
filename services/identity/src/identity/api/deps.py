"""Dependencies of identity's routes: the handlers' context, who calls and from where, and the guard
of the internal routes that only the gateway may call. All `async def`: FastAPI runs a plain `def`
dependency on a thread of its pool, a hand-off per request for work that never blocks."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from identity.context import Caller, Context
from shared.auth import Principal
from shared.http import CurrentPrincipal, client_address
from shared.problems import Problem

GATEWAY_SECRET_HEADER = "x-gateway-secret"


async def get_context(request: Request) -> Context:
    context: Context = request.app.state.identity
    return context


ContextDep = Annotated[Context, Depends(get_context)]


async def gateway_caller(request: Request, context: ContextDep) -> Caller:
    """Refuse anyone but the gateway (a shared secret, compared in constant time)."""
    given = request.headers.get(GATEWAY_SECRET_HEADER, "")
    expected = context.settings.gateway_secret.get_secret_value()
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Problem(403, "Forbidden", detail="this endpoint is for the gateway only")
    return Caller(address=client_address(request), request_id=getattr(request.state, "request_id", None))


GatewayCaller = Annotated[Caller, Depends(gateway_caller)]


async def anonymous_caller(request: Request) -> Caller:
    """A caller not yet known (the token endpoint): where from, for the limits and the audit."""
    return Caller(address=client_address(request), request_id=getattr(request.state, "request_id", None))


AnonymousCaller = Annotated[Caller, Depends(anonymous_caller)]


def caller_of(request: Request, principal: Principal) -> Caller:
    return Caller(
        address=client_address(request),
        request_id=getattr(request.state, "request_id", None),
        actor_kind=principal.kind.value,
        actor_id=principal.subject,
    )


async def principal_caller(request: Request, principal: CurrentPrincipal) -> tuple[Principal, Caller]:
    return principal, caller_of(request, principal)


Authenticated = Annotated[tuple[Principal, Caller], Depends(principal_caller)]
