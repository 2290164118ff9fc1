"""Routes of the reports service."""

from reports.consumers import organisations

ROUTERS = [organisations.router("reports")]
