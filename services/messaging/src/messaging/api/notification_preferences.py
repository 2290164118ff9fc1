"""The caller's own notification preference (/api/v1/messaging/notification-preferences): whether they
receive non-essential e-mails. Scoped to the caller: there is no id in the path or the body."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from messaging.notifications import preferences
from shared.http import CurrentCaller
from shared.service import WorkDep

router = APIRouter(prefix="/api/v1/messaging", tags=["notifications"])


class NotificationPreferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    non_essential_emails: bool = Field(
        description="Receive non-essential e-mails (overdue reminders); essential ones (an action assigned to"
        " you, a reply on one) are always sent"
    )


@router.get(
    "/notification-preferences", response_model=NotificationPreferences, summary="My e-mail preferences"
)
async def get_preferences(caller: CurrentCaller, work: WorkDep) -> NotificationPreferences:
    off = await preferences.non_essential_off(caller, work)
    return NotificationPreferences(non_essential_emails=not off)


@router.put(
    "/notification-preferences",
    response_model=NotificationPreferences,
    summary="Change my e-mail preferences",
)
async def put_preferences(
    body: NotificationPreferences, caller: CurrentCaller, work: WorkDep
) -> NotificationPreferences:
    off = await preferences.set_non_essential_off(caller, work, off=not body.non_essential_emails)
    return NotificationPreferences(non_essential_emails=not off)
