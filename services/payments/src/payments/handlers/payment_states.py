"""A scheduled payment's full state as reports keeps it: `payments.scheduled_payment.upserted.v1`, published
after every change of one payment (amended, confirmed, disputed, a dispute decided, finalised). A run's
compute publishes its new payments set-based instead (store.payment_states)."""

from __future__ import annotations

import uuid

from shared.events import ScheduledPaymentState, ScheduledPaymentUpserted
from shared.uow import UnitOfWork


async def publish_state(uow: UnitOfWork, state: ScheduledPaymentState, *, authority_id: uuid.UUID) -> None:
    event = ScheduledPaymentUpserted(**state.model_dump(), authority_id=authority_id)
    await uow.publish(event, aggregate_id=state.payment_id, authority_id=authority_id)
