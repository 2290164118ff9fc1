"""Driving identity in tests: tenants (authority + organisations), users made by the council API, and
the login journey from first login to a session. Used by identity's own tests and the tenant harness."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx

from shared import db
from tests.support.environment import RunEnvironment
from tests.support.secrets import remember, remember_fields

# Meets every demo council's password policy, Durham's strictest included (upper, lower, digit, symbol):
# a test that logs in to Durham's portal after another test of its worker seeded the demo still can.
PASSWORD = "Correct horse battery 1!"
CODE = "802417"


@dataclass
class Tenant:
    authority_id: uuid.UUID
    slug: str
    organisations: dict[str, uuid.UUID] = field(default_factory=dict)


async def make_tenant(env: RunEnvironment, *, organisations: tuple[str, ...] = ("A",), **policy) -> Tenant:
    """A fresh authority (with policy columns as given) and its organisations, written as identity does."""
    authority_id = uuid.uuid4()
    slug = f"t-{authority_id.hex[:12]}"
    conn = await db.connect(env.dsn("identity"))
    try:
        await conn.execute(
            "INSERT INTO identity.authority (authority_id, slug, name, support_email) VALUES ($1, $2, $3, $4)",
            authority_id,
            slug,
            f"Council {authority_id.hex[:6]}",
            "support@council.example",
        )
        for name, value in policy.items():
            await conn.execute(
                f"UPDATE identity.authority SET {name} = $2 WHERE authority_id = $1", authority_id, value
            )
        tenant = Tenant(authority_id, slug)
        for name in organisations:
            org_id = uuid.uuid4()
            await conn.execute(
                "INSERT INTO identity.organisation (organisation_id, authority_id, name, reference)"
                " VALUES ($1, $2, $3, $4)",
                org_id,
                authority_id,
                f"Provider {name}",
                f"REF-{name}-{org_id.hex[:6]}",
            )
            tenant.organisations[name] = org_id
        return tenant
    finally:
        await conn.close()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


class Journey:
    """The internal login API of identity, as the gateway calls it."""

    def __init__(self, client: httpx.AsyncClient, env: RunEnvironment, prefix: str = "/internal/v1/identity"):
        self.client = client
        self.env = env
        self.prefix = prefix

    @property
    def headers(self) -> dict[str, str]:
        return {"x-gateway-secret": self.env.gateway_secret}

    async def post(self, path: str, body: dict, **kw) -> httpx.Response:
        remember_fields(body)
        response = await self.client.post(self.prefix + path, json=body, headers={**self.headers, **kw})
        if response.headers.get("content-type", "").startswith("application/json"):
            remember_fields(response.json())
        return response

    async def start(self, tenant: Tenant, email: str, password: str, **kw) -> httpx.Response:
        return await self.post(
            "/login", {"authority": tenant.slug, "email": email, "password": password}, **kw
        )

    async def first_login(
        self, tenant: Tenant, email: str, temporary: str, *, password=PASSWORD, code=CODE
    ) -> str:
        """Temporary password -> new password -> security code -> the session id."""
        started = await self.start(tenant, email, temporary)
        assert started.status_code == 200, started.text
        jid = started.json()["journey_id"]
        changed = await self.post(
            "/login/password", {"journey_id": jid, "new_password": password, "confirm_password": password}
        )
        assert changed.json().get("step") == "set_security_code", changed.text  # a refusal names its rule
        done = await self.post(
            "/login/security-code", {"journey_id": jid, "new_code": code, "confirm_code": code}
        )
        assert done.json()["step"] == "done", done.text
        return str(done.json()["session"]["session_id"])

    async def login(self, tenant: Tenant, email: str, *, password=PASSWORD, code=CODE) -> str:
        """Password -> the two digits asked for -> the session id."""
        started = await self.start(tenant, email, password)
        assert started.status_code == 200, started.text
        state = started.json()
        assert state["step"] == "security_code_challenge", state
        digits = [code[p - 1] for p in state["positions"]]
        done = await self.post("/login/challenge", {"journey_id": state["journey_id"], "digits": digits})
        assert done.status_code == 200, done.text
        return str(done.json()["session"]["session_id"])

    async def token(self, session_id: str) -> httpx.Response:
        return await self.post("/sessions/token", {"session_id": session_id})


async def create_user(
    client: httpx.AsyncClient,
    env: RunEnvironment,
    tenant: Tenant,
    *,
    organisation: str | None = "A",
    role: str = "full",
    can_edit: bool = True,
    email: str | None = None,
    council: bool = False,
    prefix: str = "/council/v1/identity",
) -> tuple[dict, str]:
    """A user made through the council API; (user, temporary password)."""
    body: dict = {
        "email": email or f"user-{uuid.uuid4().hex[:10]}@provider.example",
        "forename": "Dawn",
        "surname": "Stockton",
    }
    if council:
        body |= {"is_council": True, "council_can_edit": can_edit}
    else:
        assert organisation is not None
        body["grant"] = {
            "organisation_id": str(tenant.organisations[organisation]),
            "role": role,
            "can_edit": can_edit,
        }
    # Council staff (a person) make council users; a council client would need users:manage.
    token = env.council_user_token(tenant.authority_id) if council else env.council_token(tenant.authority_id)
    response = await client.post(f"{prefix}/users", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    remember(response.json()["temporary_password"])
    return response.json()["user"], response.json()["temporary_password"]


async def ensure_portal_authorities(env: RunEnvironment) -> None:
    """Every council of the portal's pages in identity with its demo branding (as `make run`'s seed makes
    them), so that the pages find their authority, its look, and can log in."""
    from devtools.demo_branding import BRANDINGS
    from devtools.seed import AUTHORITIES  # the demo seed's ids, so that seeding later finds them

    conn = await db.connect(env.dsn("identity"))
    try:
        for authority in AUTHORITIES:
            branding = BRANDINGS[authority.slug]
            await conn.execute(
                "INSERT INTO identity.authority (authority_id, slug, name) VALUES ($1, $2, $3)"
                " ON CONFLICT (slug) DO NOTHING",
                authority.authority_id,
                authority.slug,
                branding["name"],
            )
            await conn.execute(
                "UPDATE identity.authority SET name = $2, primary_colour = $3, support_team = $4,"
                " support_email = $5, help_text = $6 WHERE slug = $1",
                authority.slug,
                branding["name"],
                branding["primary_colour"],
                branding["support_team"],
                branding.get("support_email"),
                branding["help_text"],
            )
    finally:
        await conn.close()


async def portal_tenant(
    env: RunEnvironment, slug: str = "telford-wrekin", *, organisations: tuple[str, ...] = ("A",)
) -> Tenant:
    """A council of the portal's pages (made in identity once per run, by its slug) with organisations
    of its own for the caller, so that tests sharing the council never share a provider."""
    await ensure_portal_authorities(env)
    conn = await db.connect(env.dsn("identity"))
    try:
        authority_id = await conn.fetchval(
            "SELECT authority_id FROM identity.authority WHERE slug = $1", slug
        )
        tenant = Tenant(authority_id, slug)
        for label in organisations:
            org_id = uuid.uuid4()
            await conn.execute(
                "INSERT INTO identity.organisation (organisation_id, authority_id, name, reference)"
                " VALUES ($1, $2, $3, $4)",
                org_id,
                authority_id,
                f"Provider {label} {org_id.hex[:6]}",
                f"REF-{label}-{org_id.hex[:6]}",
            )
            tenant.organisations[label] = org_id
        return tenant
    finally:
        await conn.close()
