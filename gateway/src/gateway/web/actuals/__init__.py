"""Actuals (seeds 002 and 003; DOMAIN.md "Actuals"): a service's week of delivered care, line by line
or by file, and its confirmation. The home page's card counts the past weeks still to confirm."""

from gateway.web.actuals import home_card, imports, lines, weeks
from gateway.web.areas import Area, LandingLine
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    # The import pages first: /actuals/import is not a service's week (/actuals/{service_id}).
    routers=(imports.router, lines.router, weeks.router),
    task=Task(TaskId.actuals, "Submit your actuals using the online form or bulk import facility"),
    landing=LandingLine(
        "Submit Actuals",
        "Record the care you delivered each week, client by client or by importing a file, and confirm"
        " the week so that the council can pay it.",
    ),
    card_note=home_card.unconfirmed_weeks_note,
)
