"""The council's side of the weeks of actuals: unlock a confirmed week for the provider to correct, the
history of confirmations, the late weeks per provider; and the weeks a finalised payment run paid, locked
for good (payments' `payment_run.finalised` event)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import asyncpg

from actuals.handlers.reference import require_council
from actuals.store import council_weeks as store
from actuals.store import weeks_due
from actuals.store.council_weeks import Confirmation, Week
from shared.bus import Outbox
from shared.capabilities import Capability, require_capability
from shared.errors import Conflict, Invalid, NotFound
from shared.events import Envelope, PaymentRunFinalised, WeekUnlocked
from shared.store import AuthorityScope, Scope
from shared.uow import Actor, Caller, Work

# The consumer holds the connection, in its transaction (with the inbox row): a Work without a pool.
CONSUMER_WORK = Work(None, Outbox("actuals"))


async def unlock_week(caller: Caller, work: Work, *, week_id: uuid.UUID, reason: str) -> Week:
    """Confirmed → open again, for the provider to correct and confirm again. A locked week (paid) and
    an open one are refused; another authority's week is not found."""
    principal = caller.principal
    require_council(principal, edit=True)
    require_capability(principal, Capability.actuals, edit=True)
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "say why the week is unlocked (the provider reads it)")
    scope = Scope.of(principal, store.WEEK_ROWS)
    async with work.begin(caller.actor) as uow:
        week = await store.lock_week(uow.conn, scope=scope, week_id=week_id)
        if week is None:
            raise NotFound.of("week")
        if week.state == "locked":
            raise Conflict(
                "this week is locked: a finalised payment run paid it, so it can no longer be unlocked",
                code="week-locked",
            )
        if week.state != "confirmed":
            raise Conflict(
                "this week is not confirmed: the provider can still change it, there is nothing to unlock",
                code="week-not-confirmed",
            )
        reopened = await store.reopen_week(uow.conn, scope=scope, week_id=week_id)
        assert reopened is not None  # locked above, and confirmed
        await store.add_confirmations(
            uow.conn,
            scope=scope,
            week_ids=[week_id],
            action="unlocked",
            at=reopened.updated_at,
            by_subject=principal.subject,
            reason=reason,
        )
        await uow.publish(
            WeekUnlocked(
                week_id=reopened.week_id,
                authority_id=reopened.authority_id,
                organisation_id=reopened.organisation_id,
                service_id=reopened.service_id,
                week_commencing=reopened.week_commencing,
                reason=reason,
                unlocked_by=principal.subject,
                unlocked_at=reopened.updated_at,
                revision=reopened.version,
            ),
            aggregate_id=reopened.week_id,
            authority_id=reopened.authority_id,
        )
        await uow.audit(
            "week_unlocked",
            authority_id=principal.authority_id,
            organisation_id=reopened.organisation_id,
            subject_id=reopened.week_id,
            service=reopened.service_id,
            week_commencing=reopened.week_commencing.isoformat(),
            version=reopened.version,
        )
        uow.log("week_unlocked", week_id=str(week_id), version=reopened.version)
    return reopened


async def list_confirmations(
    caller: Caller,
    work: Work,
    *,
    organisation_id: uuid.UUID | None,
    service_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[Confirmation]:
    require_council(caller.principal)
    async with work.read() as conn:
        return await store.list_confirmations(
            conn,
            scope=Scope.of(caller.principal, store.CONFIRMATION_ROWS),
            organisation_id=organisation_id,
            service_id=service_id,
            limit=limit,
            offset=offset,
        )


async def late_weeks(
    caller: Caller, work: Work, *, organisation_id: uuid.UUID | None, today: date
) -> list[weeks_due.DueService]:
    require_council(caller.principal)
    async with work.read() as conn:
        return await weeks_due.unconfirmed_weeks(
            conn,
            scope=Scope.of(caller.principal, weeks_due.SERVICE_ROWS),
            today=today,
            organisation_id=organisation_id,
        )


async def lock_paid_weeks(conn: asyncpg.Connection, envelope: Envelope, event: PaymentRunFinalised) -> None:
    """Every week the run paid is locked for good, with a `locked` history row. A week already locked
    stays as it was (a redelivered or repeated event changes nothing); a week of another authority than
    the run's is not touched (the run cannot pay it)."""
    actor = Actor.system("payments-consumer", correlation_id=envelope.correlation_id)
    scope = AuthorityScope(event.authority_id, column="w.authority_id")
    async with CONSUMER_WORK.within(conn, actor) as uow:
        locked = await store.lock_weeks(
            uow.conn,
            scope=scope,
            week_ids=[w.week_id for w in event.weeks],
            locked_at=event.finalised_at,
        )
        if locked:
            await store.add_confirmations(
                uow.conn,
                scope=scope,
                week_ids=[w.week_id for w in locked],
                action="locked",
                at=datetime.now(UTC),
                by_subject=event.finalised_by,
                reason=f"paid in payment run {event.reference}",
            )
        uow.log(
            "weeks_locked",
            payment_run_id=str(event.payment_run_id),
            locked=len(locked),
            paid=len(event.weeks),
        )
