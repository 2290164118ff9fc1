"""Care Package Line Items (seed 002, "Care package line items"; DOMAIN.md): what the council
commissioned from the provider, client by client, with filters, sorting, pages and a CSV download."""

from gateway.web.areas import Area, LandingLine
from gateway.web.cplis import pages
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    routers=(pages.router,),
    task=Task(TaskId.care_package_line_items, "View the care the council has commissioned from you"),
    landing=LandingLine(
        "Care Package Line Items",
        "See what the council has commissioned for each of your clients: the service level, dates, cost"
        " and whether it is authorised, and download it as a spreadsheet.",
    ),
)
