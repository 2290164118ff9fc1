"""Routes of the identity service: parse, call a handler, answer (errors are problem+json)."""

from identity.api import (
    branding,
    clients,
    contact_changes,
    contacts,
    council,
    directory,
    keys,
    login,
    me,
    organisation,
)

ROUTERS = [
    login.router,
    branding.internal,
    keys.internal,
    me.router,
    directory.provider_api,
    contacts.provider_api,
    contact_changes.provider_api,
    organisation.provider_api,
    keys.provider_api,
    keys.council_api,
    clients.council_api,
    directory.council_api,
    branding.council_api,
    contacts.council_api,
    contact_changes.council_api,
    organisation.council_api,
    council.router,
]

__all__ = ["ROUTERS"]
