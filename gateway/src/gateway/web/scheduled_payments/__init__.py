"""Scheduled Payments (seed 004 section 3; DOMAIN.md "Payments"): a provider's payments period by
period, each with its lines per purchase order (client), confirmed or disputed (whole or line by line)
by the provider's finance people. The home card names the next payment and counts those to confirm."""

from gateway.web.areas import Area, LandingLine
from gateway.web.scheduled_payments import home_card, pages
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    routers=(pages.router,),
    task=Task(TaskId.scheduled_payments, "View and confirm or dispute your scheduled payments"),
    landing=LandingLine(
        "Scheduled Payments",
        "See what the council will pay you period by period, client by client, and confirm each payment"
        " or dispute what is wrong.",
    ),
    card_note=home_card.payments_note,
)
