"""Notifications: e-mails telling people that something waits for them (docs/messaging.md "Notifications").

The seam for the actions code is `queue`, called inside the handler's own transaction (its unit of work's
connection), so a notification exists if, and only if, the change it tells of is committed:

    from messaging.notifications import queue, provider_recipients, team_recipients, assigned_mail

    async with work.begin(caller.actor) as uow:          # or work.within(conn, ...) in a consumer
        action = await store.add_action(uow.conn, ...)
        mail = assigned_mail(reference=action.reference, action_type=type_name,
                             provider_name=organisation_name, assigned_to=team_name,
                             due=action.due_date,
                             link=action_link(settings.portal_url, authority_slug, action.action_id))
        await queue(
            uow.conn,
            authority_id=action.authority_id,
            key=f"action:{action.action_id}:assigned:{post.post_id}",
            recipients=team_recipients(team.mailbox),   # or await provider_recipients(uow.conn, ...)
            subject=mail.subject, body=mail.body, essential=mail.essential,
        )

`key` names the event told of, once: a handler run twice for the same event (a redelivered message, a
retried request) passes the same key and queues nothing the second time. The worker's sender
(`python -m messaging worker`, `messaging.notifications.sender`) sends the rows; `users` keeps identity's
portal users, whom `provider_recipients` resolves.
"""

from messaging.notifications.mails import (
    Mail,
    action_link,
    assigned_mail,
    build_message,
    council_action_link,
    message_id,
    overdue_mail,
    reply_mail,
)
from messaging.notifications.outbox import NotificationRefused, Recipient, queue
from messaging.notifications.recipients import provider_recipients, team_recipients

__all__ = [
    "Mail",
    "NotificationRefused",
    "Recipient",
    "action_link",
    "assigned_mail",
    "build_message",
    "council_action_link",
    "message_id",
    "overdue_mail",
    "provider_recipients",
    "queue",
    "reply_mail",
    "team_recipients",
]
