"""Contacts (seed 003, Admin Functions): who in the organisation uses the portal, and asking the council
for a new contact, a leaver's removal or a change of role or scope."""

from gateway.web.areas import Area, HelpTopic, LandingLine
from gateway.web.contacts import changes, pages
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    routers=(pages.router, changes.router),
    task=Task(TaskId.contacts, "View and Request Changes to Contacts"),
    landing=LandingLine(
        "Contacts",
        "See who in your organisation can use the portal and what each person can do, and ask the local"
        " authority to give a new colleague access, change what someone can do, or remove a leaver.",
    ),
    help=(HelpTopic("How do I get access for a colleague?", "contacts/help.html", "new-users"),),
)
