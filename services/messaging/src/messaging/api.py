"""Routes of the messaging service."""

from messaging.consumers import organisations

ROUTERS = [organisations.router("messaging")]
