"""Actions born of other services' events (docs/messaging.md "Actions from events").

- payments' disputed scheduled payment (`payments.scheduled_payment.disputed.v1`) opens a Payments
  Message (the authority's type of purpose `payment_dispute`) to its team, with the disputed lines; the
  dispute's decision (`payments.dispute_request.upserted.v1`, approved, rejected or withdrawn) closes it.
The opening and closing of such actions, and payments' events, are here; identity's requests and
forgotten passwords in handlers/identity_requests.py.

- identity's requests a provider makes of the council (a new contact, a change of contact, a change of
  organisation details: `identity.*_request.upserted.v1` while pending) open a task for the portal's
  administrators (type of purpose `portal_request`, Provider Portal Admin in the seeds); the same
  request's decision closes it.
- identity's forgotten-password request (`identity.password_reset_request.submitted.v1`) opens a task
  about the person who asked (no organisation: only the council sees it); the reset of that user's
  password (`identity.user.temporary_password_issued.v1`, reason "reset") closes it.

Idempotent: each action carries its source's key (unique in the authority), so the same request seen
twice (a redelivery, a re-published state) opens one action; a decision closes only what is still open.
An authority that has configured nothing gets the seeds' defaults first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from messaging.domain import rules
from messaging.domain.clock import UK, Clock
from messaging.domain.requests import CLOSURE, REQUESTS
from messaging.handlers import notices
from messaging.handlers.configuration import ensure_defaults
from messaging.handlers.views import upserted
from messaging.store import actions, config
from messaging.store.records import ActionRow
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus import Outbox
from shared.decisions import Status
from shared.events import (
    DisputeRequestUpserted,
    Envelope,
    ScheduledPaymentDisputed,
)
from shared.store import AuthorityScope
from shared.uow import Actor, UnitOfWork, Work

# The consumer holds the connection, in its transaction (with the inbox row): a Work without a pool.
WORK = Work(None, Outbox("messaging"))
CLOCK = Clock()
SYSTEM = "messaging"
SYSTEM_LABEL = "Provider Portal"


def _council(authority_id: uuid.UUID) -> Principal:
    """Messaging itself deciding for the council (a closure request pending when a decision arrives)."""
    return Principal(
        subject=SYSTEM,
        kind=PrincipalKind.council_client,
        authority_id=authority_id,
        organisation_id=None,
        role=Role.council,
        can_edit=True,
        scope_type=ScopeType.authority,
        scope_id=None,
    )


@dataclass(frozen=True)
class Opening:
    authority_id: uuid.UUID
    organisation_id: uuid.UUID | None
    contract_id: uuid.UUID | None
    purpose: str
    related_kind: str
    related_id: uuid.UUID | None
    related_label: str
    title: str
    text: str
    author_side: str
    author: str
    author_label: str
    source_key: str
    closing_key: str | None
    at: datetime


async def open_from_event(conn: asyncpg.Connection, envelope: Envelope, opening: Opening) -> uuid.UUID | None:
    """The action the event asks for, unless one from the same source exists: its id, or None."""
    actor = Actor.system("consumer", correlation_id=str(envelope.event_id))
    async with WORK.within(conn, actor) as uow:
        kind = await config.type_for(conn, authority_id=opening.authority_id, purpose=opening.purpose)
        if kind is None:
            await ensure_defaults(conn, opening.authority_id)
            kind = await config.type_for(conn, authority_id=opening.authority_id, purpose=opening.purpose)
        if kind is None:  # the authority renamed the seeds' type away and gave no type this purpose
            raise LookupError(f"authority {opening.authority_id} has no action type for {opening.purpose}")
        action_id = await actions.add(
            conn,
            actions.NewAction(
                authority_id=opening.authority_id,
                organisation_id=opening.organisation_id,
                contract_id=opening.contract_id,
                service_id=None,
                type_id=kind.type_id,
                related_kind=opening.related_kind,
                related_id=opening.related_id,
                related_label=opening.related_label[:200],
                team_id=kind.default_team_id,
                assigned_to="council",
                title=opening.title[: rules.TITLE_MAX],
                due_date=rules.due_date(opening.at.astimezone(UK).date(), kind.response_days),
                origin="event",
                created_by=opening.author,
                source_key=opening.source_key,
                closing_key=opening.closing_key,
            ),
            at=opening.at,
        )
        if action_id is None:
            uow.log("action_already_opened", source=opening.source_key)
            return None
        action = await actions.get(
            conn, scope=_authority(opening.authority_id), action_id=action_id, lock=True
        )
        assert action is not None
        post = await actions.add_post(
            conn,
            action,
            actions.NewPost(
                "opened",
                opening.author_side,
                opening.author,
                opening.author_label,
                opening.text[: rules.TEXT_MAX],
            ),
            assigned_after="council",
            team_after=action.team_id,
            at=opening.at,
        )
        await uow.publish(
            upserted(action, post, "opened"), aggregate_id=action_id, authority_id=action.authority_id
        )
        # Only when the action is new: a redelivery found it above and queues nothing (the key would
        # also refuse a second mail).
        await notices.action_changed(conn, action, post, "opened")
        await uow.audit(
            "action_opened",
            authority_id=action.authority_id,
            organisation_id=action.organisation_id,
            subject_id=action_id,
            source=opening.source_key,
        )
        uow.log("action_opened_from_event", action_id=str(action_id), source=opening.source_key)
        return action_id


def _authority(authority_id: uuid.UUID) -> AuthorityScope:
    return actions.authority_actions(authority_id)


async def close_from_event(
    conn: asyncpg.Connection, envelope: Envelope, *, authority_id: uuid.UUID, closing_key: str, reason: str
) -> int:
    """Close every action still open that this decision settles: how many."""
    actor = Actor.system("consumer", correlation_id=str(envelope.event_id))
    closed = 0
    async with WORK.within(conn, actor) as uow:
        for action in await actions.closing(conn, authority_id=authority_id, closing_key=closing_key):
            await _close(uow, action, reason)
            closed += 1
    return closed


async def _close(uow: UnitOfWork, action: ActionRow, reason: str) -> None:
    now = CLOCK.now()
    if action.status == "closure_requested" and action.closure_request_id is not None:
        council = _council(action.authority_id)
        request = await REQUESTS.pending(uow, council, [CLOSURE], request_id=action.closure_request_id)
        await REQUESTS.approve(uow, council, request, action_id=action.action_id)
    post = await actions.add_post(
        uow.conn,
        action,
        actions.NewPost("closed", "system", SYSTEM, SYSTEM_LABEL, reason),
        assigned_after=action.assigned_to,
        team_after=action.team_id,
        at=now,
    )
    changed = await actions.change(
        uow.conn,
        scope=_authority(action.authority_id),
        action_id=action.action_id,
        to=actions.Change(
            status="closed",
            assigned_to=action.assigned_to,
            team_id=action.team_id,
            last_post_at=now,
            closed_reason=reason[: rules.REASON_MAX],
            closed_by=SYSTEM,
        ),
    )
    await uow.publish(
        upserted(changed, post, "closed"), aggregate_id=changed.action_id, authority_id=changed.authority_id
    )
    await uow.audit(
        "action_closed",
        authority_id=changed.authority_id,
        organisation_id=changed.organisation_id,
        subject_id=changed.action_id,
        by="decision",
    )
    uow.log("action_closed_by_decision", action_id=str(changed.action_id))


def decided_reason(status: str, what: str, reason: str | None) -> str:
    if status == Status.approved:  # an approval's reason is optional
        return f"The council approved the {what}: {reason}" if reason else f"The council approved the {what}."
    if status == Status.rejected:
        return f"The council rejected the {what}: {reason or 'no reason given'}"
    return f"The {what} was withdrawn."


# --- payments ---------------------------------------------------------------------------------


async def payment_disputed(
    conn: asyncpg.Connection, envelope: Envelope, event: ScheduledPaymentDisputed
) -> None:
    disputed = set(event.disputed_line_ids)
    lines = [line for line in event.lines if line.line_id in disputed]
    listed = "\n".join(
        f"- {line.client_name or 'Provider item'}"
        f"{f' ({line.client_reference})' if line.client_reference else ''}, {line.purchase_order_number},"
        f" {line.service_start:%d/%m/%Y} - {line.service_end:%d/%m/%Y}: £{line.total:,.2f}"
        for line in lines
    )
    period = f"{event.period_start:%d %b %Y} to {event.period_end:%d %b %Y}"
    whole = "the whole payment" if event.whole_payment else f"{len(lines)} line{'s' * (len(lines) != 1)}"
    text = (
        f"{event.supplier_name} disputed {whole} of the scheduled payment {event.contract_name} - {period}"
        f" (total £{event.total:,.2f}).\n\nReason: {event.reason}\n\nDisputed lines:\n{listed or '- none listed'}"
    )
    key = f"payments.dispute_request:{event.request_id}"
    await open_from_event(
        conn,
        envelope,
        Opening(
            authority_id=event.authority_id,
            organisation_id=event.organisation_id,
            contract_id=event.contract_id,
            purpose="payment_dispute",
            related_kind="provider",
            related_id=event.organisation_id,
            related_label=event.supplier_name,
            title=f"Disputed payment: {event.contract_name} - {period}",
            text=text,
            author_side="provider",
            author=event.disputed_by,
            author_label=event.supplier_name,
            source_key=key,
            closing_key=key,
            at=event.disputed_at,
        ),
    )


async def dispute_decided(
    conn: asyncpg.Connection, envelope: Envelope, event: DisputeRequestUpserted
) -> None:
    if event.status == "pending":
        return  # the disputed event opens the action: it carries the lines
    await close_from_event(
        conn,
        envelope,
        authority_id=event.authority_id,
        closing_key=f"payments.dispute_request:{event.request_id}",
        reason=decided_reason(event.status, "dispute", event.reason),
    )
