"""Where the sender's mails go, chosen by settings (MESSAGING_EMAIL_BACKEND):

- `sink`: the local development SMTP sink of `make run` (devtools/mail_sink.py), plain SMTP on
  127.0.0.1:1025; production refuses it (messaging.config);
- `smtp`: an SMTP server, through aiosmtplib (one connection kept open and reused, opened again when the
  server drops it);
- `notify`: GOV.UK Notify through its official Python client. The client is synchronous (requests), so
  each call runs in a thread; one e-mail template with ((subject)) and ((body)) carries every mail.

A backend raises `PermanentFailure` when trying again cannot help (the server refused the recipient or
the message for good); any other exception is a failure to try again later.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

import aiosmtplib
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from messaging.config import Settings
from messaging.notifications.mails import build_message, message_id


@dataclass(frozen=True)
class OutgoingMail:
    idempotency_key: str
    to: str
    subject: str
    body: str


class PermanentFailure(Exception):
    """The mail cannot be delivered however often it is tried."""


class Backend(Protocol):
    name: str

    async def send(self, mail: OutgoingMail) -> None: ...

    async def close(self) -> None: ...


class SmtpBackend:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        start_tls: bool = False,
        use_tls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.sender = sender
        self._options = {
            "hostname": host,
            "port": port,
            "start_tls": start_tls,
            "use_tls": use_tls,
            "username": username,
            "password": password,
            "timeout": timeout,
        }
        self._smtp: aiosmtplib.SMTP | None = None

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is None or not self._smtp.is_connected:
            smtp = aiosmtplib.SMTP(**self._options)  # type: ignore[arg-type]
            await smtp.connect()
            self._smtp = smtp
        return self._smtp

    async def send(self, mail: OutgoingMail) -> None:
        message = build_message(
            sender=self.sender,
            to=mail.to,
            subject=mail.subject,
            body=mail.body,
            idempotency_key=mail.idempotency_key,
        )
        # A kept connection the server closed while idle fails before the message is given: once more on a
        # new one. A failure after DATA is not retried here (the sender's back-off decides).
        for attempt in (1, 2):
            smtp = await self._connection()
            try:
                await smtp.send_message(message)
                return
            except aiosmtplib.SMTPServerDisconnected:
                self._smtp = None
                if attempt == 2:
                    raise
            except aiosmtplib.SMTPRecipientsRefused as exc:
                if all(r.code >= 500 for r in exc.recipients):
                    raise PermanentFailure(f"recipient refused: {exc.recipients[0].code}") from exc
                raise
            except aiosmtplib.SMTPResponseException as exc:
                if exc.code >= 500:
                    raise PermanentFailure(f"refused: {exc.code} {exc.message[:200]}") from exc
                raise

    async def close(self) -> None:
        if self._smtp is not None and self._smtp.is_connected:
            try:
                await self._smtp.quit()
            except aiosmtplib.SMTPException:
                self._smtp.close()
        self._smtp = None


class NotifyBackend:
    name = "notify"

    def __init__(self, *, api_key: str, template_id: str, base_url: str, timeout: float = 30.0) -> None:
        self._client = NotificationsAPIClient(  # type: ignore[no-untyped-call]
            api_key, base_url=base_url.rstrip("/"), timeout=timeout
        )
        self._template_id = template_id
        # The client's requests.Session is not meant for several threads at once: one call at a time.
        self._lock = asyncio.Lock()

    async def send(self, mail: OutgoingMail) -> None:
        # The reference is the digest of the Message-ID: the same for every attempt of one notification,
        # so a mail in Notify's records is found from the outbox row (and never carries the key's ids).
        reference = message_id(mail.idempotency_key, "x@x").strip("<>").partition("@")[0]
        async with self._lock:
            try:
                await asyncio.to_thread(
                    self._client.send_email_notification,
                    email_address=mail.to,
                    template_id=self._template_id,
                    personalisation={"subject": mail.subject, "body": mail.body},
                    reference=reference,
                )
            except HTTPError as exc:
                # 400: Notify refuses the request itself (a bad address, a missing placeholder); 403 (the
                # key), 429 (the rate limit) and 5xx may pass.
                if exc.status_code == 400:
                    raise PermanentFailure(f"Notify refused the mail: {exc.status_code}") from exc
                raise

    async def close(self) -> None:
        self._client.request_session.close()


def backend_from_settings(settings: Settings) -> Backend:
    if settings.email_backend == "notify":
        assert settings.notify_api_key is not None and settings.notify_template_id  # checked by Settings
        return NotifyBackend(
            api_key=settings.notify_api_key.get_secret_value(),
            template_id=settings.notify_template_id,
            base_url=str(settings.notify_base_url),
            timeout=settings.notify_timeout_seconds,
        )
    if settings.email_backend == "smtp":
        assert settings.smtp_host is not None  # checked by Settings
        return SmtpBackend(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.email_from,
            start_tls=settings.smtp_starttls and not settings.smtp_use_tls,
            use_tls=settings.smtp_use_tls,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            timeout=settings.smtp_timeout_seconds,
        )
    return SmtpBackend(host=settings.sink_host, port=settings.sink_port, sender=settings.email_from)
