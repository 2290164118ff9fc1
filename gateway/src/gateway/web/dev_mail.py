"""/dev/mail: the mails the local SMTP sink of `make run` received (devtools/mail_sink.py), newest first,
so that a developer sees what the portal would have sent.

Development only: the route is mounted only when the gateway runs in development with
GATEWAY_DEV_MAIL_FOLDER set (production refuses the setting, gateway.config), so anywhere else /dev/mail
is an unknown page (404). The page is rendered with autoescape like every page: a mail's headers and
body are text, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gateway.web.rendering import Portal, page_router_dependencies

router = APIRouter(include_in_schema=False, dependencies=page_router_dependencies())
SHOWN = 50


@dataclass(frozen=True)
class ReceivedMail:
    name: str
    date: str
    sender: str
    to: str
    subject: str
    message_id: str
    body: str


def read_mails(folder: Path, *, limit: int = SHOWN) -> list[ReceivedMail]:
    """The newest `limit` mails of the folder (the sink names them by arrival, so names sort by time)."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        part = parsed.get_body(preferencelist=("plain",))
        found.append(
            ReceivedMail(
                name=path.stem,
                date=str(parsed.get("Date", "")),
                sender=str(parsed.get("From", "")),
                to=str(parsed.get("To", "")),
                subject=str(parsed.get("Subject", "")),
                message_id=str(parsed.get("Message-ID", "")),
                body=part.get_content() if isinstance(part, EmailMessage) else "",
            )
        )
    return found


@router.get("/dev/mail", response_class=HTMLResponse)
async def show_mail(request: Request, portal: Portal) -> HTMLResponse:
    folder: Path = request.app.state.gateway_settings.dev_mail_folder
    return portal.render(request, "dev_mail.html", mails=read_mails(folder), folder=str(folder))
