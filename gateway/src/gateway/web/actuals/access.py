"""Who may open the Actuals pages (Care Management, Full Access and Main, as on the home page), and
the ids in their addresses: a malformed id or date is simply "Page not found" (the service checks again
that what is named is the caller's)."""

from __future__ import annotations

from datetime import date

from gateway.web.admin_access import TaskAccess
from gateway.web.page_problem import NOT_FOUND, an_id
from gateway.web.tasks import TaskId

ACCESS = TaskAccess(TaskId.actuals, "your actuals", "enter, import or confirm them")
viewer, editor = ACCESS.viewer, ACCESS.editor

__all__ = ["NOT_FOUND", "a_week", "an_id", "editor", "viewer"]


def a_week(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise NOT_FOUND from None
