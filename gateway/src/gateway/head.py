"""HEAD answered as GET without its body (RFC 9110 9.3.2), for every page, call and file of the gateway.

FastAPI's routes answer only the methods they name, so a load balancer's or an uptime monitor's HEAD got
405 from a page that answers GET. The request goes on as a GET (a proxied call is sent upstream as GET:
HEAD is safe, so nothing it reaches may change), and whatever body the answer has is dropped here, so
the client gets the GET's status and headers, Content-Length included, and no body, whichever server
runs the gateway.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
