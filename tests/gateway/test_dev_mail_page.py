"""/dev/mail lists what the development mail sink received, escaped, in development only: in test (or
without the sink's folder) it is an unknown page, and production refuses the setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from devtools.mail_sink import MailSink, serving
from gateway.config import Settings
from gateway.main import create_gateway
from messaging.notifications.backends import OutgoingMail, SmtpBackend
from tests.support.inprocess import gateway_settings, serve


async def sink_two_mails(folder):
    sink = MailSink(folder=folder)
    async with serving(sink) as port:
        backend = SmtpBackend(host="127.0.0.1", port=port, sender="Portal <no-reply@portal.example>")
        for n, subject in enumerate(("Action A-1 is waiting for Payments", "<script>alert(1)</script>")):
            await backend.send(
                OutgoingMail(
                    idempotency_key=f"k/{n}", to="team@council.example", subject=subject, body="B & b"
                )
            )
        await backend.close()


async def test_the_page_lists_the_sinks_mails_newest_first_and_escaped(tmp_path):
    await sink_two_mails(tmp_path)
    settings = gateway_settings(environment="development", dev_mail_folder=tmp_path, cookie_secure=False)
    async with serve(create_gateway(settings)) as gateway:
        page = await gateway.get("/dev/mail")
    assert page.status_code == 200
    html = page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert html.index("&lt;script&gt;") < html.index("Action A-1 is waiting for Payments")
    assert "team@council.example" in html and "B &amp; b" in html


async def test_outside_development_there_is_no_such_page(tmp_path):
    await sink_two_mails(tmp_path)
    async with serve(create_gateway(gateway_settings(dev_mail_folder=tmp_path))) as gateway:
        assert (await gateway.get("/dev/mail")).status_code == 404
    with pytest.raises(ValidationError, match="dev_mail_folder is the development mail sink's page"):
        Settings(
            environment="production",
            public_url="https://portal.council.example",
            csrf_secret="x" * 32,
            identity_secret="s" * 32,
            dev_mail_folder=tmp_path,
        )
