"""Reports (seed 002 "Reports", seed 004 section 5; docs/reports.md): the council's catalogue of reports,
each report's parameters with View (PDF) and Download Data (CSV), the run's page while it renders, and
"My reports" (the files kept for a while)."""

from gateway.web.areas import Area, LandingLine
from gateway.web.reports import pages
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    routers=(pages.router,),
    task=Task(TaskId.reports, "View & print financial reports"),
    landing=LandingLine(
        "Reporting",
        "View and print financial reports, such as remittance advice and pending payments, or download"
        " their data as a spreadsheet.",
    ),
)
