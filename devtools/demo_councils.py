"""The demo councils of `make run` (docs/demo.md): each council's policy (its branding is in
demo_branding.py), the contracts and
services of its demo providers, demo logins with known passwords, and its client credentials. Data only;
devtools/demo_identity.py seeds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SECURITY_CODE = "802417"


@dataclass(frozen=True)
class DemoContract:
    organisation: str  # the provider's reference
    reference: str
    name: str
    payment_basis: str
    frequency: str
    pays_frustrated: bool
    pays_extras: bool
    vat_registered: bool
    services: tuple[tuple[str, str], ...]  # (reference, name)


@dataclass(frozen=True)
class DemoUser:
    email: str
    forename: str
    surname: str
    password: str
    what: str  # for the start-up announcement
    first_login: bool = False  # an administrator-assigned password: change it, then set a code
    council: bool = False
    memberships: tuple[tuple[str, str, bool], ...] = ()  # (provider reference, role, can edit)
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class DemoCouncil:
    slug: str
    settings: dict[str, Any]  # policy columns of identity.authority (branding: devtools/demo_branding.py)
    contracts: tuple[DemoContract, ...] = ()
    users: tuple[DemoUser, ...] = ()
    client_secret: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def client_id(self) -> str:
        return "cc_demo_" + self.slug.replace("-", "_")


DURHAM_POLICY = {  # seed 004: at least 9 characters with upper, lower, digit and symbol
    "password_min_length": 9,
    "password_require_upper": True,
    "password_require_lower": True,
    "password_require_digit": True,
    "password_require_symbol": True,
}

COUNCILS = (
    DemoCouncil(
        "telford-wrekin",
        {},
        contracts=(
            DemoContract(
                "P100201",
                "TW-HC-0201",
                "Purple Care - Home Care",
                "actuals",
                "four_weekly",
                True,
                True,
                False,
                (
                    ("TW-HC-0201-1", "Purple Care - Home Care Long Term"),
                    ("TW-HC-0201-2", "Purple Care - Extra Care"),
                ),
            ),
            DemoContract(
                "P100245",
                "TW-RN-0245",
                "Wrekin View - Residential and Nursing",
                "planned",
                "four_weekly",
                False,
                False,
                True,
                (("TW-RN-0245-1", "Wrekin View Nursing Home"),),
            ),
        ),
        users=(
            DemoUser(
                "full@purplecare.example",
                "Priya",
                "Patel",
                "Purple Care demo 1",
                "provider, Full access (Edit), Purple Care Ltd",
                memberships=(("P100201", "full", True),),
                phone="01632 960211",
                address="Unit 4, Hortonwood 30\nTelford TF1 7YD",
            ),
            DemoUser(
                "manager@purplecare.example",
                "Sam",
                "Okafor",
                "Two homes demo 22",
                "one login, two organisations: Full in Purple Care, Finance read-only in Wrekin View",
                memberships=(("P100201", "full", True), ("P100245", "finance", False)),
                phone="01632 960212",
                address="Unit 4, Hortonwood 30\nTelford TF1 7YD",
            ),
            DemoUser(
                "admin.viewer@purplecare.example",
                "Lee",
                "Jones",
                "Purple Care viewer 1",
                "provider, Admin Functions (Read Only), Purple Care Ltd: sees Contacts and Organisation Details,"
                " cannot request changes",
                memberships=(("P100201", "admin", False),),
                phone="01632 960213",
                address="Unit 4, Hortonwood 30\nTelford TF1 7YD",
            ),
            DemoUser(
                "new.starter@wrekinview.example",
                "Nia",
                "Evans",
                "Wrekin-View-temp-1",
                "first login: temporary password, then set a security code",
                first_login=True,
                memberships=(("P100245", "care", True),),
                phone="01632 960246",
                address="Wrekin View\nHollies Road\nWellington TF1 3AB",
            ),
            DemoUser(
                "portal.admin@telford-wrekin.example",
                "Alex",
                "Morgan",
                "Council admin demo 1",
                "council admin (Edit) of Telford & Wrekin",
                council=True,
            ),
        ),
        client_secret="demo-client-secret-telford-wrekin",
    ),
    DemoCouncil(
        "durham-childrens",
        DURHAM_POLICY,
        contracts=(
            DemoContract(
                "148",
                "DCC-FC-148",
                "Sausage Sandwich",
                "planned",
                "weekly",
                False,
                False,
                False,
                (("DCC-FC-148-1", "Sausage Sandwich foster household"),),
            ),
            DemoContract(
                "162",
                "DCC-SL-162",
                "Dawn Stockton Supported Lodgings",
                "planned",
                "weekly",
                False,
                False,
                False,
                (("DCC-SL-162-1", "Supported Lodgings"),),
            ),
        ),
        users=(
            DemoUser(
                "carer@sausagesandwich.example",
                "Dawn",
                "Stockton",
                "Sausage-Sandwich-9",
                "foster carer, Full access (Edit), Sausage Sandwich (Durham's stricter policy)",
                memberships=(("148", "full", True),),
                phone="01632 960149",
                address="12 Front Street\nDurham DH1 4AA",
            ),
        ),
        client_secret="demo-client-secret-durham-childrens",
    ),
    DemoCouncil(
        "worcestershire-adults",
        {},
        contracts=(
            DemoContract(
                "A2010",
                "WCC-RN-2010",
                "Portal Nursing Home",
                "planned",
                "four_weekly",
                False,
                False,
                True,
                (("WCC-RN-2010-1", "Nursing Home"),),
            ),
            DemoContract(
                "A2044",
                "WCC-HC-2044",
                "Malvern Hills Home Care",
                "actuals",
                "weekly",
                True,
                True,
                False,
                (("WCC-HC-2044-1", "Home Care - Malvern"), ("WCC-HC-2044-2", "Home Care - Upton")),
            ),
        ),
        users=(
            DemoUser(
                "full@portalnursing.example",
                "Owen",
                "Price",
                "Portal Nursing demo 1",
                "provider, Full access (Edit), Portal Nursing Home",
                memberships=(("A2010", "full", True),),
                phone="01632 962011",
                address="Portal House\nBath Road\nWorcester WR5 3EZ",
            ),
        ),
        client_secret="demo-client-secret-worcestershire-adults",
    ),
    DemoCouncil(
        "worcestershire-childrens",
        {},
        contracts=(
            DemoContract(
                "C3001",
                "WCF-FC-3001",
                "Severn Valley Fostering",
                "planned",
                "weekly",
                False,
                False,
                False,
                (("WCF-FC-3001-1", "Severn Valley foster households"),),
            ),
        ),
        users=(
            DemoUser(
                "full@severnvalley.example",
                "Grace",
                "Hughes",
                "Severn Valley demo 1",
                "provider, Full access (Edit), Severn Valley Fostering",
                memberships=(("C3001", "full", True),),
                phone="01632 963002",
                address="The Old School\nSevern Side\nWorcester WR1 2NF",
            ),
        ),
        client_secret="demo-client-secret-worcestershire-childrens",
    ),
)
