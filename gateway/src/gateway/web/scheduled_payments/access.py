"""Who may open the Scheduled Payments pages (the roles with the scheduled-payments capability:
Finance, Full Access and Main, as on the home page; read-only people see but do not confirm), and the
ids in the addresses: a malformed id is simply "Page not found" (the service checks again that the
payment is the caller's)."""

from __future__ import annotations

from gateway.web.admin_access import TaskAccess
from gateway.web.page_problem import NOT_FOUND, an_id
from gateway.web.tasks import TaskId

ACCESS = TaskAccess(TaskId.scheduled_payments, "your scheduled payments", "confirm or dispute them")
viewer, editor = ACCESS.viewer, ACCESS.editor

__all__ = ["NOT_FOUND", "an_id", "editor", "viewer"]
