"""Routes of the payments service."""

from payments.consumers import organisations

ROUTERS = [organisations.router("payments")]
