"""Actions that become overdue: the day after an open action's due date, messaging publishes its state
once more with `change` "overdue" (`messaging.action.upserted.v1`), so that a notifier can tell the
team or the provider whose turn it is without polling the database. Each action's passing is published
once (`overdue_published`), whichever worker's sweep finds it first; the reminder mail to the side it
waits for is queued in the same transaction (`notices.action_overdue`, non-essential)."""

from __future__ import annotations

from messaging.domain.clock import Clock
from messaging.handlers import notices
from messaging.handlers.views import upserted
from messaging.store import actions
from shared.uow import Actor, Work

BATCH = 500


async def publish_overdue(work: Work, clock: Clock, *, batch: int = BATCH) -> int:
    """One sweep: every open action past its due date not yet published as such; how many."""
    published = 0
    while True:
        async with work.begin(Actor.system("overdue")) as uow:
            found = await actions.becoming_overdue(uow.conn, today=clock.today(), limit=batch)
            for action_id in found:
                row = await actions.mark_overdue(uow.conn, action_id=action_id)
                post = await actions.last_post(uow.conn, action_id=action_id)
                await uow.publish(
                    upserted(row, post, "overdue"), aggregate_id=action_id, authority_id=row.authority_id
                )
                await notices.action_overdue(uow.conn, row)
            if found:
                uow.log("actions_overdue", count=len(found))
        published += len(found)
        if len(found) < batch:
            return published
