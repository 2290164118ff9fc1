"""The cross-tenant harness: two authorities with two providers each, for every service's tests.

    world = await build_world(env)        # or the session fixture `world` (tests/conftest.py)
    for me, other, relation in world.pairs():   # relation: "same_authority" | "other_authority"
        token = world.token(env, me)            # Full, Edit, organisation scope, a real user of `me`
        ... call an endpoint of yours with other's ids: expect 403 or 404, and none of other.secrets()

Each provider has an organisation, a contract, a service under it and a real user (known password and
security code, Full access, Edit). Everything is made through identity's handlers, so the events are in
identity's outbox and every service's projections fill up wherever identity's worker runs (the `stack`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from devtools.demo_councils import SECURITY_CODE, DemoUser
from devtools.demo_identity import seed_user, system
from identity import keys as identity_keys
from identity.context import build_context
from identity.handlers import directory
from identity.main import DEFINITION as IDENTITY
from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus import Outbox
from shared.uow import Actor, Caller, Work
from tests.support.environment import RunEnvironment

PASSWORD = "cross tenant passphrase 1"
CODE = SECURITY_CODE  # what seed_user sets


@dataclass
class Provider:
    label: str  # "A1", "A2", "B1", "B2"
    authority_id: uuid.UUID
    slug: str
    organisation_id: uuid.UUID
    organisation_name: str
    contract_id: uuid.UUID
    service_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    extra: dict[str, object] = field(default_factory=dict)  # ids a test adds (requests, keys, ...)

    def markers(self) -> set[str]:
        """Strings that must never appear in an answer to another tenant."""
        values = {self.organisation_id, self.contract_id, self.service_id, self.user_id, self.email}
        values |= {self.organisation_name}
        return {str(v) for v in values} | {str(v) for v in self.extra.values()}


@dataclass
class Authority:
    label: str  # "A", "B"
    authority_id: uuid.UUID
    slug: str
    providers: list[Provider]


@dataclass
class World:
    authorities: list[Authority]

    @property
    def providers(self) -> list[Provider]:
        return [p for a in self.authorities for p in a.providers]

    def pairs(self) -> Iterator[tuple[Provider, Provider, str]]:
        """Every (caller, another tenant, how they relate)."""
        for me in self.providers:
            for other in self.providers:
                if other is not me:
                    relation = (
                        "same_authority" if other.authority_id == me.authority_id else "other_authority"
                    )
                    yield me, other, relation

    def authority_pairs(self) -> Iterator[tuple[Authority, Authority]]:
        a, b = self.authorities
        yield a, b
        yield b, a

    def token(
        self,
        env: RunEnvironment,
        provider: Provider,
        *,
        role: Role = Role.full,
        can_edit: bool = True,
        scope: ScopeType = ScopeType.organisation,
    ) -> str:
        """A token as identity would sign it for the provider's user, at the scope asked for."""
        scope_id = {
            ScopeType.organisation: provider.organisation_id,
            ScopeType.contract: provider.contract_id,
            ScopeType.service: provider.service_id,
        }[scope]
        principal = Principal(
            subject=str(provider.user_id),
            kind=PrincipalKind.user,
            authority_id=provider.authority_id,
            organisation_id=provider.organisation_id,
            role=role,
            can_edit=can_edit,
            scope_type=scope,
            scope_id=scope_id,
            scope_contract_id=provider.contract_id if scope is ScopeType.service else None,
        )
        return env.signing_key.sign(
            principal, issuer="portal-identity", audience="portal-services", ttl_seconds=600
        )

    def council_token(self, env: RunEnvironment, authority: Authority, *, can_edit: bool = True) -> str:
        return env.council_token(authority.authority_id, can_edit=can_edit)


async def build_world(env: RunEnvironment) -> World:
    settings = env.settings(IDENTITY)
    pool = await db.create_pool(env.dsn("identity"))
    ctx = build_context(
        work=Work(pool, Outbox("identity")),
        settings=settings,
        signer=identity_keys.signing_keys(settings)[0],
    )  # type: ignore[arg-type]
    run = uuid.uuid4().hex[:8]
    authorities = []
    try:
        for label in ("A", "B"):
            authority_id = uuid.uuid4()
            caller = Caller(system(authority_id), Actor.system("tenant-harness"))
            slug = f"x-{label.lower()}-{run}"
            async with pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO identity.authority (authority_id, slug, name) VALUES ($1, $2, $3)",
                    authority_id,
                    slug,
                    f"Council {label} {run}",
                )
            providers = []
            for n in (1, 2):
                name = f"Provider {label}{n} {run}"
                org = await directory.upsert_organisation(
                    caller, ctx.work, reference=f"{label}{n}-{run}", name=name, active=True
                )
                contract = await directory.upsert_contract(
                    caller,
                    ctx.work,
                    organisation_id=org.organisation_id,
                    values={
                        "reference": f"C-{label}{n}-{run}",
                        "name": f"Contract {label}{n}",
                        "payment_basis": "actuals",
                        "frequency": "weekly",
                        "pays_frustrated": True,
                        "pays_extras": True,
                        "vat_registered": False,
                        "start_date": None,
                        "end_date": None,
                        "active": True,
                    },
                )
                service = await directory.upsert_service(
                    caller,
                    ctx.work,
                    contract_id=contract.contract_id,
                    reference=f"S-{label}{n}-{run}",
                    name=f"Service {label}{n}",
                    active=True,
                )
                email = f"full-{label.lower()}{n}-{run}@provider.example"
                reference = f"{label}{n}-{run}"
                demo = DemoUser(
                    email=email,
                    forename=f"{label}{n}",
                    surname="Tenant",
                    password=PASSWORD,
                    what="",
                    memberships=((reference, "full", True),),
                )
                await seed_user(ctx, caller, authority_id, {reference: org.organisation_id}, demo)
                async with pool.acquire() as conn:
                    user_id = await conn.fetchval(
                        "SELECT user_id FROM identity.app_user WHERE authority_id = $1 AND email = $2",
                        authority_id,
                        email,
                    )
                providers.append(
                    Provider(
                        label=f"{label}{n}",
                        authority_id=authority_id,
                        slug=slug,
                        organisation_id=org.organisation_id,
                        organisation_name=name,
                        contract_id=contract.contract_id,
                        service_id=service.service_id,
                        user_id=user_id,
                        email=email,
                    )
                )
            authorities.append(Authority(label, authority_id, slug, providers))
    finally:
        ctx.hasher.close()
        await pool.close()
    return World(authorities)
