"""The three mails of the actions (assigned, a reply arrived, overdue) composed from plain values, and the
RFC 5322 message the SMTP backend sends.

What a mail says: the action's reference and type, the provider, who it waits for, its due date and a link.
Never the action's title or text, nor a client: those are written by people and may name a client, and a
mail leaves the portal's access control. The reader follows the link and logs in to read the rest.

Names come from other services (an organisation's or a team's name): a line break in one is collapsed to a
space here, so it can never end a header; `queue` refuses a subject that still has one, and
`email.message.EmailMessage` refuses it again when the message is built.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import policy
from email.headerregistry import BaseHeader
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str
    essential: bool


def plain(text: str) -> str:
    """One line: control characters (CR and LF among them) collapsed to a space."""
    return _CONTROL.sub(" ", text).strip()


def action_link(portal_url: str, slug: str, action_id: uuid.UUID) -> str:
    """Where the reader opens the action: the authority's actions pages (`/<slug>/actions/<id>`), after
    login. The compose functions take any `link`: pass another if the pages live elsewhere."""
    return f"{str(portal_url).rstrip('/')}/{plain(slug)}/actions/{action_id}"


def council_action_link(portal_url: str, action_id: uuid.UUID) -> str:
    """Where a council team's system reads the action: the council API (council staff have no actions
    pages in the portal; they work actions in their own systems)."""
    return f"{str(portal_url).rstrip('/')}/council/v1/messaging/actions/{action_id}"


def _due(due: date | None) -> str:
    return f"{due.day} {due:%B %Y}" if due is not None else "no due date"


def _footer(link: str, *, council: bool = False) -> str:
    if council:  # a team's mailbox: the council answers from its own system, through the council API
        return (
            "\n\nFind the action by its reference in your council's system for Provider Portal actions;"
            f" through the council API it is:\nGET {plain(link)}\n\n"
            "This e-mail was sent automatically. Please do not reply to it.\n"
        )
    return (
        f"\n\nOpen the action in the Provider Portal:\n{plain(link)}\n\n"
        "This e-mail was sent automatically. Please do not reply to it: reply in the portal.\n"
    )


def assigned_mail(
    *,
    reference: str,
    action_type: str,
    provider_name: str,
    assigned_to: str,
    due: date | None,
    link: str,
    council: bool = False,
    essential: bool = True,
) -> Mail:
    """An action was assigned to a provider or a council team (new, reassigned, or passed back)."""
    subject = f"Action {plain(reference)} is waiting for {plain(assigned_to)}"
    body = (
        f"A {plain(action_type)} action has been assigned to {plain(assigned_to)}.\n\n"
        f"Action: {plain(reference)}\nProvider: {plain(provider_name)}\nDue: {_due(due)}"
        + _footer(link, council=council)
    )
    return Mail(subject=subject[:200], body=body, essential=essential)


def reply_mail(
    *,
    reference: str,
    action_type: str,
    provider_name: str,
    replied_by: str,
    link: str,
    council: bool = False,
    essential: bool = True,
) -> Mail:
    """A reply arrived: the action is passed back to the recipient's side."""
    subject = f"Reply on action {plain(reference)} from {plain(replied_by)}"
    body = (
        f"{plain(replied_by)} replied on a {plain(action_type)} action; it is now waiting for you.\n\n"
        f"Action: {plain(reference)}\nProvider: {plain(provider_name)}" + _footer(link, council=council)
    )
    return Mail(subject=subject[:200], body=body, essential=essential)


def overdue_mail(
    *,
    reference: str,
    action_type: str,
    provider_name: str,
    assigned_to: str,
    due: date,
    link: str,
    council: bool = False,
    essential: bool = False,
) -> Mail:
    """An action passed its due date (a reminder: non-essential unless the caller says otherwise)."""
    subject = f"Action {plain(reference)} is overdue"
    body = (
        f"A {plain(action_type)} action assigned to {plain(assigned_to)} was due on {_due(due)}"
        " and is still open.\n\n"
        f"Action: {plain(reference)}\nProvider: {plain(provider_name)}" + _footer(link, council=council)
    )
    return Mail(subject=subject[:200], body=body, essential=essential)


def message_id(idempotency_key: str, sender: str) -> str:
    """The same Message-ID for every attempt of one notification (a digest of its idempotency key, at the
    sender's domain): a receiving system can drop a second copy sent in the at-least-once window."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "provider-portal.invalid"
    return f"<{digest}@{domain}>"


@lru_cache(maxsize=64)
def _parsed(name: str, value: str) -> BaseHeader:
    """A header parsed once (the same sender, the same second's Date): parsing is most of the cost of
    building a message. Checked as any header set on a message is (no CR or LF)."""
    if "\r" in value or "\n" in value:
        raise ValueError("Header values may not contain linefeed or carriage return characters")
    header: BaseHeader = policy.default.header_factory(name, value)
    return header


def build_message(*, sender: str, to: str, subject: str, body: str, idempotency_key: str) -> EmailMessage:
    """The message as sent. EmailMessage raises ValueError on a CR or LF in any header value, the last
    guard against header injection."""
    message = EmailMessage()
    message["From"] = _parsed("From", sender)
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id(idempotency_key, sender)
    message["Date"] = _parsed("Date", format_datetime(datetime.now(UTC).replace(microsecond=0)))
    # RFC 3834: no out-of-office replies to a robot.
    message["Auto-Submitted"] = _parsed("Auto-Submitted", "auto-generated")
    message.set_content(body)
    return message
