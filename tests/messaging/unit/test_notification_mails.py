"""What a notification mail says and carries, and the settings that choose where mails go."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from pydantic import ValidationError

from messaging.config import Settings
from messaging.notifications import (
    NotificationRefused,
    Recipient,
    action_link,
    assigned_mail,
    build_message,
    message_id,
    overdue_mail,
    reply_mail,
    team_recipients,
)
from messaging.notifications.backends import NotifyBackend, SmtpBackend, backend_from_settings
from messaging.notifications.outbox import check


def test_names_with_line_breaks_are_collapsed_and_the_mail_says_nothing_of_the_actions_text():
    mail = assigned_mail(
        reference="A-1",
        action_type="CPLI Review",
        provider_name="Purple\r\nBcc: everyone@example.org",
        assigned_to="Brokerage\nX-Evil: 1",
        due=date(2026, 12, 4),
        link="http://localhost:8000/actions/1",
    )
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.subject == "Action A-1 is waiting for Brokerage X-Evil: 1"
    assert "Provider: Purple Bcc: everyone@example.org\n" in mail.body
    assert "Due: 4 December 2026" in mail.body
    assert mail.essential
    check(recipients=[Recipient("team@council.example")], subject=mail.subject, body=mail.body)


def test_a_reply_is_essential_and_an_overdue_reminder_is_not():
    reply = reply_mail(
        reference="A-2", action_type="Payments Message", provider_name="P", replied_by="Payments", link="l"
    )
    overdue = overdue_mail(
        reference="A-2",
        action_type="Payments Message",
        provider_name="P",
        assigned_to="Payments",
        due=date(2026, 11, 1),
        link="l",
    )
    assert (reply.essential, overdue.essential) == (True, False)
    assert reply.subject == "Reply on action A-2 from Payments"
    assert overdue.subject == "Action A-2 is overdue" and "1 November 2026" in overdue.body


@pytest.mark.parametrize("field", ["Subject", "To", "From"])
def test_the_message_itself_refuses_a_line_break_in_any_header(field):
    values = {"sender": "portal@portal.example", "to": "team@council.example", "subject": "Hello"}
    key = {"Subject": "subject", "To": "to", "From": "sender"}[field]
    values[key] = values[key] + "\r\nBcc: everyone@example.org"
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        build_message(**values, body="Body", idempotency_key="k")


def test_every_attempt_of_a_notification_carries_the_same_message_id():
    first = build_message(
        sender="P <no-reply@portal.example>", to="a@b.example", subject="S", body="B", idempotency_key="k/1"
    )
    again = build_message(
        sender="P <no-reply@portal.example>", to="a@b.example", subject="S", body="B", idempotency_key="k/1"
    )
    other = message_id("k/2", "no-reply@portal.example")
    assert first["Message-ID"] == again["Message-ID"] == message_id("k/1", "x@portal.example")
    assert first["Message-ID"].endswith("@portal.example>") and other != first["Message-ID"]
    assert first["Auto-Submitted"] == "auto-generated"


def test_refusals_name_what_is_wrong():
    with pytest.raises(NotificationRefused, match="longer than 200"):
        check(recipients=[], subject="x" * 201, body="b")
    with pytest.raises(NotificationRefused, match="body is empty"):
        check(recipients=[], subject="s", body=" ")
    with pytest.raises(NotificationRefused, match="not one e-mail address"):
        check(recipients=[Recipient("no-at-sign")], subject="s", body="b")
    assert team_recipients(None) == [] and team_recipients("  ") == []
    assert action_link("http://localhost:8000/", "telford", uuid.UUID(int=1)) == (
        "http://localhost:8000/telford/actions/00000000-0000-0000-0000-000000000001"
    )


def settings(**values):
    return Settings(environment=values.pop("environment", "development"), **values)


def test_production_refuses_the_development_sink_and_a_backend_without_its_settings():
    with pytest.raises(ValidationError, match="email_backend is the development mail sink"):
        settings(environment="production", database_url="postgresql://x@h/d", amqp_url="amqp://h/")
    with pytest.raises(ValidationError, match="smtp_host is required"):
        settings(email_backend="smtp")
    with pytest.raises(ValidationError, match="notify_api_key"):
        settings(email_backend="notify", notify_api_key="k")
    with pytest.raises(ValidationError, match="portal_url must be the portal's https address"):
        settings(
            environment="production",
            database_url="postgresql://x@h/d",
            amqp_url="amqp://h/",
            email_backend="smtp",
            smtp_host="smtp.council.example",
        )


def test_the_settings_choose_the_backend():
    assert isinstance(backend_from_settings(settings()), SmtpBackend)
    smtp = backend_from_settings(settings(email_backend="smtp", smtp_host="smtp.council.example"))
    assert isinstance(smtp, SmtpBackend) and smtp._options["hostname"] == "smtp.council.example"
    key = f"live-{uuid.uuid4()}-{uuid.uuid4()}"
    notify = backend_from_settings(
        settings(email_backend="notify", notify_api_key=key, notify_template_id="t")
    )
    assert isinstance(notify, NotifyBackend)


def test_a_council_teams_mail_names_the_action_in_the_council_api_not_a_portal_page():
    from messaging.notifications import council_action_link

    link = council_action_link("http://localhost:8000/", uuid.UUID(int=1))
    assert link == "http://localhost:8000/council/v1/messaging/actions/00000000-0000-0000-0000-000000000001"
    mail = assigned_mail(
        reference="ACT-1",
        action_type="Query",
        provider_name="Purple Care",
        assigned_to="Brokerage",
        due=None,
        link=link,
        council=True,
    )
    assert f"through the council API it is:\nGET {link}\n" in mail.body
    assert (
        "Open the action in the Provider Portal" not in mail.body and "reply in the portal" not in mail.body
    )
