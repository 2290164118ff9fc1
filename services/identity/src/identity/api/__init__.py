"""Routes of the identity service: parse, call a handler, answer (errors are problem+json)."""

from identity.api import council, directory, login, me

ROUTERS = [login.router, me.router, directory.provider_api, directory.council_api, council.router]

__all__ = ["ROUTERS"]
