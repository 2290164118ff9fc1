"""Purchase Orders and remittance advice (seed 004 sections 7 and the remittance screens; seed 002
"Purchase Orders"; docs/purchase-orders.md): the year's orders with value and spend to date, each order
as a printable page, and each remittance as a printable page with its lines to download."""

from gateway.web.areas import Area, LandingLine
from gateway.web.purchase_orders import pages
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    routers=(pages.router,),
    task=Task(TaskId.purchase_orders, "View and print purchase orders and remittance advice"),
    landing=LandingLine(
        "Purchase Orders",
        "See what you have been paid for each client this financial year and what is still to come, and"
        " print purchase orders and remittance advice.",
    ),
)
