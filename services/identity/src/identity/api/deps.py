"""Dependencies of identity's routes: the handlers' context, who calls and from where, and the guard of
the internal routes that only the gateway may call. All `async def`: FastAPI runs a plain `def`
dependency on a thread of its pool, a hand-off per request for work that never blocks.

A verified caller is `shared.http.CurrentCaller`. The gateway's internal routes and the token endpoint
come before any verification: they get an `Actor` without a principal (identity.context says why).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from identity.context import Context
from shared.errors import Forbidden
from shared.http import client_address
from shared.uow import Actor

GATEWAY_SECRET_HEADER = "x-gateway-secret"


async def get_context(request: Request) -> Context:
    context: Context = request.app.state.identity
    return context


ContextDep = Annotated[Context, Depends(get_context)]


async def anonymous_actor(request: Request) -> Actor:
    """A caller not yet known: where from, for the limits, the audit and the log."""
    return Actor(address=client_address(request), request_id=getattr(request.state, "request_id", None))


AnonymousActor = Annotated[Actor, Depends(anonymous_actor)]


async def gateway_actor(request: Request, context: ContextDep) -> Actor:
    """Refuse anyone but the gateway (a shared secret, compared in constant time)."""
    given = request.headers.get(GATEWAY_SECRET_HEADER, "")
    expected = context.settings.gateway_secret.get_secret_value()
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("this endpoint is for the gateway only")
    return await anonymous_actor(request)


GatewayActor = Annotated[Actor, Depends(gateway_actor)]
