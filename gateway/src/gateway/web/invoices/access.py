"""Who may open the Invoices pages (the roles with the invoices capability), and the ids in the
addresses: a malformed id is simply "Page not found" (the service checks again that what is named is the
caller's)."""

from __future__ import annotations

from gateway.web.admin_access import TaskAccess
from gateway.web.page_problem import NOT_FOUND, an_id
from gateway.web.tasks import TaskId

ACCESS = TaskAccess(TaskId.invoices, "your invoices", "create, submit, delete or retract them")
viewer, editor = ACCESS.viewer, ACCESS.editor

__all__ = ["NOT_FOUND", "an_id", "editor", "viewer"]
