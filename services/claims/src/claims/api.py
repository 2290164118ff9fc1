"""Routes of the claims service."""

from claims.consumers import organisations

ROUTERS = [organisations.router("claims")]
