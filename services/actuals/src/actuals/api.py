"""Routes of the actuals service."""

from actuals.consumers import organisations

ROUTERS = [organisations.router("actuals")]
