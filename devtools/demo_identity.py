"""Identity's demo data seeded: the councils of devtools/demo_councils.py with their policy and branding,
contracts and services, demo logins with known passwords, and client credentials (docs/demo.md).

Seeding is idempotent: what exists is brought back to the values below (demo passwords and codes are
reset on every `make run`, so the logins printed at start-up always work); nothing is duplicated, and
an unchanged authority or contract is not republished.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from devtools.demo_branding import BRANDINGS
from devtools.demo_councils import SECURITY_CODE, DemoCouncil, DemoUser
from identity.context import Context
from identity.crypto import digest
from identity.handlers import branding as branding_handlers
from identity.handlers import directory as directory_handlers
from identity.handlers.directory import council_system
from identity.handlers.events import publish_user
from identity.store import branding as branding_store
from identity.store import contracts, keys, logins, users
from identity.store import directory as directory_store
from identity.store import memberships as membership_store
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.uow import Actor, Caller, Work


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
    principal = system(authority_id)
    council_caller = council_system(authority_id, "demo-seed", correlation_id="demo-seed")
    caller = Caller(principal, Actor.system("demo-seed", correlation_id="demo-seed"))
    async with ctx.work.read() as conn:
        current = await directory_store.get_authority(conn=conn, authority_id=authority_id)
        organisations = {
            o.reference: o.organisation_id
            for o in await directory_store.list_organisations(
                conn=conn, authority_id=authority_id, organisation_id=None, limit=None, offset=0
            )
        }
        existing = {
            c.reference: c
            for c in await contracts.list_contracts(conn=conn, principal=principal, limit=None, offset=0)
        }
    assert current is not None
    if any(getattr(current, k) != v for k, v in council.settings.items()):
        await directory_handlers.update_authority(council_caller, ctx.work, values=council.settings)
    await seed_branding(council_caller, ctx.work, BRANDINGS.get(council.slug))
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
        if contract is None or any(getattr(contract, k) != v for k, v in values.items()):
            contract = await directory_handlers.upsert_contract(
                council_caller, ctx.work, organisation_id=organisations[demo.organisation], values=values
            )
        async with ctx.work.read() as conn:
            services = {
                s.reference
                for s in await contracts.list_services(
                    conn=conn, principal=principal, contract_id=contract.contract_id, limit=None, offset=0
                )
            }
        for reference, name in demo.services:
            if reference not in services:
                await directory_handlers.upsert_service(
                    council_caller,
                    ctx.work,
                    contract_id=contract.contract_id,
                    reference=reference,
                    name=name,
                    active=True,
                )
    for user in council.users:
        await seed_user(ctx, caller, authority_id, organisations, user)
    async with ctx.work.begin(caller.actor) as uow:
        await seed_client(uow.conn, council, authority_id)


async def seed_branding(caller: Caller, work: Work, demo: dict[str, Any] | None) -> None:
    """The council's branding, set as the council sets it (the council API's handler); left alone when
    it is already so, so that an unchanged authority is not republished."""
    if demo is None:
        return
    wanted = {name: demo.get(name) for name in branding_store.BRANDING_FIELDS}
    wanted["secondary_colour"] = demo.get("secondary_colour", "#0b0c0c")
    async with work.read() as conn:
        current = await branding_store.branding_by_id(conn=conn, authority_id=caller.principal.authority_id)
    assert current is not None
    if any(getattr(current, name) != value for name, value in wanted.items()):
        await branding_handlers.set_branding(caller, work, values=wanted)


async def seed_user(
    ctx: Context, caller: Caller, authority_id: uuid.UUID, organisations: dict[str, uuid.UUID], demo: DemoUser
) -> None:
    """Create the login, or bring it back to its demo password, code and roles (and unlock it)."""
    password_hash = await ctx.hasher.hash(demo.password)
    async with ctx.work.begin(caller.actor) as uow:
        conn = uow.conn
        user: users.User | None = await users.get_user_by_email(
            conn=conn, authority_id=authority_id, email=demo.email
        )
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
            conn=conn, user_id=user.user_id, password_hash=password_hash, must_change=demo.first_login
        )
        sealed = None if demo.first_login else ctx.codes.seal(SECURITY_CODE, owner=user.user_id)
        await users.set_security_code(conn=conn, user_id=user.user_id, sealed=sealed)
        await logins.unlock_user(conn=conn, authority_id=authority_id, user_id=user.user_id)
        await logins.restart_inactivity_clock(conn=conn, user_id=user.user_id)
        for reference, role, can_edit in demo.memberships:
            organisation_id = organisations[reference]
            await membership_store.upsert_membership(
                conn=conn,
                user_id=user.user_id,
                organisation_id=organisation_id,
                role=role,
                can_edit=can_edit,
                scope_type="organisation",
                scope_id=organisation_id,
            )
        if created:
            await publish_user(uow, user=user, changed=False)


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
