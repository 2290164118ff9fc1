"""Invoices (issue "Invoices and credit notes"; docs/invoices.md): a provider paid on actuals makes an
invoice from its confirmed weeks (the amounts are the weeks', never typed), submits it to the council, and
retracts it by a credit note. Finance Functions, Full Access and Main see them; read-only users cannot
change them."""

from gateway.web.areas import Area
from gateway.web.invoices import pages, retract
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    routers=(pages.router, retract.router),
    task=Task(TaskId.invoices, "View, create and submit invoices"),
)
