"""The seeds' configuration, offered to every authority as its defaults (council API "defaults", the
demo, and the first event-born action of an authority that has configured nothing).

Teams: seed 003 ("Brokerage", "Payments", "Provider Portal Admin") and seed 004 ("Childrens Services
Finance", as its Assign To list spells it). Types: seed 003's drop-down list, and seed 004's "Foster
Carer Query", "Supported Lodgings Provider Query" and "Provider Query" (the seed's list shows its due
date as "--": no response time). The seeds give no response times: these are the demo's, in calendar
days, and each council sets its own.
"""

from __future__ import annotations

from dataclasses import dataclass

BROKERAGE = "Brokerage"
PAYMENTS = "Payments"
PORTAL_ADMIN = "Provider Portal Admin"
CHILDRENS_FINANCE = "Childrens Services Finance"

TEAMS = (BROKERAGE, PAYMENTS, PORTAL_ADMIN, CHILDRENS_FINANCE)


@dataclass(frozen=True)
class TypeDefault:
    name: str
    team: str
    response_days: int | None
    purpose: str | None = None


TYPES = (
    TypeDefault("Brokerage Message", BROKERAGE, 5),
    TypeDefault("CPLI Review", BROKERAGE, 10),
    TypeDefault("Death Notification", BROKERAGE, 2),
    TypeDefault("Hospital Admission", BROKERAGE, 2),
    TypeDefault("Payments Message", PAYMENTS, 10, "payment_dispute"),
    TypeDefault("Portal - Data Query", PORTAL_ADMIN, 5, "portal_request"),
    TypeDefault("Provider Note", BROKERAGE, None),
    TypeDefault("Provider Query", CHILDRENS_FINANCE, None),
    TypeDefault("Foster Carer Query", CHILDRENS_FINANCE, 10),
    TypeDefault("Supported Lodgings Provider Query", CHILDRENS_FINANCE, 10),
)
