"""A TCP proxy the tests put between a service and PostgreSQL or RabbitMQ, to cut connections at will."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class TcpProxy:
    def __init__(self, *, target_host: str, target_port: int) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._accepting = True
        self._frozen: set[asyncio.StreamWriter] = set()  # links that stay open but forward nothing
        self.connections = 0  # connections passed through to the target, over the proxy's life
        self.refused = 0  # connections closed at once because the proxy was cut

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._on_client, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._accepting:
            self.refused += 1
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.close()
            return
        self.connections += 1
        self._links.update({writer, up_writer})
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if writer in self._frozen:
                    continue  # a peer gone silent: what is sent is lost, nothing is answered
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._links.discard(writer)
            self._frozen.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    def cut(self, *, refuse_new: bool = True) -> None:
        """Break every open connection; while `refuse_new`, new ones are closed at once."""
        self._accepting = not refuse_new
        for writer in list(self._links):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._links.clear()

    def freeze(self) -> None:
        """Stop forwarding on every open connection without closing it (a half-dead link: no error,
        no answer); new connections pass as usual."""
        self._frozen.update(self._links)

    def restore(self) -> None:
        self._accepting = True

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@contextlib.asynccontextmanager
async def proxy_to(host: str, port: int) -> AsyncIterator[TcpProxy]:
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
