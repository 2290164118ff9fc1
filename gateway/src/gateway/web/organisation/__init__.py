"""Organisation Details (seed 003, Admin Functions): the organisation's details and the changes asked for."""

from gateway.web.areas import Area, HelpTopic, LandingLine
from gateway.web.organisation.pages import router
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    routers=(router,),
    task=Task(TaskId.organisation_details, "View and Request Changes to Organisation Details"),
    landing=LandingLine(
        "Organisation Details",
        "Keep the address, telephone number and email address the local authority holds for your"
        " organisation up to date. The authority checks each change before it is made.",
    ),
    help=(
        HelpTopic(
            "How do I change my organisation's details?",
            "organisation/help.html",
            "organisation-details",
        ),
    ),
)
