"""Actions and Change Requests (seed 004 section 4; DOMAIN.md "Actions and change requests"): a
provider's conversations with the council's teams, on messaging (docs/messaging.md). The home card
counts the open actions and gives their status light in words."""

from gateway.web.actions import home_card, pages, thread
from gateway.web.areas import Area, LandingLine
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    routers=(pages.router, thread.router),  # New Action's /new before a thread's /{action_id}
    task=Task(TaskId.actions, "Send and answer messages to and from the council's teams"),
    landing=LandingLine(
        "Actions and Change Requests",
        "Send a query to the right council team about a payment, a client or your organisation, and"
        " follow the conversation until it is closed.",
    ),
    card_note=home_card.actions_note,
)
