"""Identity's demo data: each council's policy and branding, contracts and services of the demo
providers, demo logins with known passwords, and council client credentials (docs/demo.md).

Seeding is idempotent: what exists is brought back to the values below (demo passwords and codes are
reset on every `make run`, so the logins printed at start-up always work); nothing is duplicated, and
an unchanged authority or contract is not republished.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from identity.context import Caller, Context
from identity.crypto import digest
from identity.handlers import directory as directory_handlers
from identity.handlers.events import publish_user
from identity.store import contracts, keys, users
from identity.store import directory as directory_store
from identity.store import memberships as membership_store
from shared.auth import Principal, PrincipalKind, Role, ScopeType

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
    settings: dict[str, Any]  # branding and policy columns of identity.authority
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
        {"primary_colour": "#00594f", "support_email": "ECM@telford.gov.uk"},
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
        {"primary_colour": "#4b2e83", **DURHAM_POLICY},
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
        {"primary_colour": "#8a1538"},
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
        {"primary_colour": "#005f73"},
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


def system(authority_id: uuid.UUID) -> Principal:
    """The seed acts as council staff would (council users are made by people, not by clients)."""
    return Principal(
        subject="demo-seed",
        kind=PrincipalKind.user,
        authority_id=authority_id,
        organisation_id=None,
        role=Role.council,
        can_edit=True,
        scope_type=ScopeType.authority,
        scope_id=None,
    )


async def seed_council(ctx: Context, council: DemoCouncil, authority_id: uuid.UUID) -> None:
    caller = Caller(actor_kind="system", actor_id="demo-seed", request_id="demo-seed")
    principal = system(authority_id)
    async with ctx.pool.acquire() as conn:
        current = await directory_store.get_authority(conn=conn, authority_id=authority_id)
        organisations = {
            o["reference"]: o["organisation_id"]
            for o in await directory_store.list_organisations(
                conn=conn, authority_id=authority_id, organisation_id=None, limit=None, offset=0
            )
        }
        existing = {
            c["reference"]: c
            for c in await contracts.list_contracts(conn=conn, principal=principal, limit=None, offset=0)
        }
    assert current is not None
    if any(current[k] != v for k, v in council.settings.items()):
        await directory_handlers.update_authority(ctx, caller, principal, values=council.settings)
    for demo in council.contracts:
        values = {
            "reference": demo.reference,
            "name": demo.name,
            "payment_basis": demo.payment_basis,
            "frequency": demo.frequency,
            "pays_frustrated": demo.pays_frustrated,
            "pays_extras": demo.pays_extras,
            "vat_registered": demo.vat_registered,
            "start_date": None,
            "end_date": None,
            "active": True,
        }
        contract = existing.get(demo.reference)
        if contract is None or any(contract[k] != v for k, v in values.items()):
            contract = await directory_handlers.upsert_contract(
                ctx, caller, principal, organisation_id=organisations[demo.organisation], values=values
            )
        async with ctx.pool.acquire() as conn:
            services = {
                s["reference"]
                for s in await contracts.list_services(
                    conn=conn, principal=principal, contract_id=contract["contract_id"], limit=None, offset=0
                )
            }
        for reference, name in demo.services:
            if reference not in services:
                await directory_handlers.upsert_service(
                    ctx,
                    caller,
                    principal,
                    contract_id=contract["contract_id"],
                    reference=reference,
                    name=name,
                    active=True,
                )
    for user in council.users:
        await seed_user(ctx, caller, authority_id, organisations, user)
    async with ctx.pool.acquire() as conn:
        await seed_client(conn, council, authority_id)


async def seed_user(
    ctx: Context, caller: Caller, authority_id: uuid.UUID, organisations: dict[str, uuid.UUID], demo: DemoUser
) -> None:
    """Create the login, or bring it back to its demo password, code and roles (and unlock it)."""
    password_hash = await ctx.hasher.hash(demo.password)
    async with ctx.pool.acquire() as conn, conn.transaction():
        user = await users.get_user_by_email(conn=conn, authority_id=authority_id, email=demo.email)
        created = user is None
        if user is None:
            user = await users.add_user(
                conn=conn,
                authority_id=authority_id,
                email=demo.email,
                forename=demo.forename,
                surname=demo.surname,
                phone=demo.phone,
                address=demo.address,
                is_council=demo.council,
                council_can_edit=demo.council,
                password_hash=password_hash,
            )
        await users.set_password(
            conn=conn, user_id=user["user_id"], password_hash=password_hash, must_change=demo.first_login
        )
        sealed = None if demo.first_login else ctx.codes.seal(SECURITY_CODE, owner=user["user_id"])
        await users.set_security_code(conn=conn, user_id=user["user_id"], sealed=sealed)
        await users.unlock_user(conn=conn, authority_id=authority_id, user_id=user["user_id"])
        await users.restart_inactivity_clock(conn=conn, user_id=user["user_id"])
        for reference, role, can_edit in demo.memberships:
            organisation_id = organisations[reference]
            await membership_store.upsert_membership(
                conn=conn,
                user_id=user["user_id"],
                organisation_id=organisation_id,
                role=role,
                can_edit=can_edit,
                scope_type="organisation",
                scope_id=organisation_id,
            )
        if created:
            await publish_user(conn, ctx, caller, user=user, changed=False)


async def seed_client(conn: asyncpg.Connection, council: DemoCouncil, authority_id: uuid.UUID) -> None:
    if await keys.get_council_client(conn=conn, client_id=council.client_id) is None:
        await keys.add_council_client(
            conn=conn,
            client_id=council.client_id,
            authority_id=authority_id,
            name="Demo council system",
            secret_hash=digest(council.client_secret),
            can_edit=True,
            grants=[],
        )
