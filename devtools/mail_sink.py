"""The local SMTP sink of `make run` (and of the notification tests and benchmark): an aiosmtpd server
that accepts every mail and keeps it, sending nothing on.

`python -m devtools.mail_sink` listens on MAIL_SINK_HOST:MAIL_SINK_PORT (127.0.0.1:1025, where
messaging's `sink` backend sends) and writes each mail as an .eml file into MAIL_SINK_FOLDER (.run/mail,
which the gateway's development-only page /dev/mail lists). Development only: production refuses the
`sink` backend (messaging.config) and the gateway's page (gateway.config).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from devtools.envfile import ROOT
from shared.loop import stop_on_signals

DEFAULT_FOLDER = ROOT / ".run" / "mail"


@dataclass
class Received:
    envelope_to: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class MailSink:
    """An aiosmtpd handler that keeps what it receives (in `received`, and as files in `folder` when
    given). The next `refuse_next` mails are answered `refusal` instead (a server that fails for a while,
    or for good: for tests)."""

    folder: Path | None = None
    refuse_next: int = 0
    refusal: str = "451 4.3.0 The sink is refusing mail for a while"
    received: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return self.refusal
        raw = envelope.original_content or b""
        self.received.append(Received(envelope_to=list(envelope.rcpt_tos), raw=raw))
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
            part = self.folder / f"{name}.part"
            part.write_bytes(raw)
            part.rename(self.folder / f"{name}.eml")  # the page never reads half a mail
        self.arrived.set()
        return "250 2.0.0 Kept by the development sink"

    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]


@asynccontextmanager
async def serving(sink: object, *, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[int]:
    """`sink` (an aiosmtpd handler: a MailSink, or the benchmark's) listening on `host:port` (0: any free
    port) in the running loop; yields the port."""
    loop = asyncio.get_running_loop()

    def protocol() -> Any:
        return SMTP(sink, hostname="mail-sink.localhost", enable_SMTPUTF8=True)

    server = await loop.create_server(protocol, host=host, port=port)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def run(host: str, port: int, folder: Path) -> None:
    stop = stop_on_signals()
    async with serving(MailSink(folder=folder), host=host, port=port) as bound:
        print(f"mail sink: smtp://{host}:{bound}, mails kept in {folder}", flush=True)
        await stop.wait()


def main() -> None:
    host = os.environ.get("MAIL_SINK_HOST", "127.0.0.1")
    port = int(os.environ.get("MAIL_SINK_PORT", "1025"))
    folder = Path(os.environ.get("MAIL_SINK_FOLDER", str(DEFAULT_FOLDER)))
    asyncio.run(run(host, port, folder))


if __name__ == "__main__":
    main()
