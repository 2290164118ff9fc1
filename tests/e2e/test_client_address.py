"""The client's address at the gateway: X-Forwarded-For is read only from a trusted proxy, so a forged
header moves neither the per-address login limit nor the address in identity's audit log.

The gateway runs as its real process (`python -m gateway`, as deployed), with identity behind it."""

from __future__ import annotations

import uuid

import httpx
import pytest

from shared import db
from tests.support.identity import create_user, make_tenant
from tests.support.stack import Stack

TRUSTED_PROXY = "127.0.0.2"  # loopback: the test connects from it to play the proxy
LIMIT = 4


@pytest.fixture(scope="module")
async def edge(env, tmp_path_factory):
    running = Stack(
        env=env,
        log_dir=tmp_path_factory.mktemp("client-address-logs"),
        apis=("identity",),
        workers=False,
        settings={
            "GATEWAY_TRUSTED_PROXIES": f"{TRUSTED_PROXY}, 10.0.0.0/8",
            "IDENTITY_LOGIN_LIMIT_PER_ADDRESS": str(LIMIT),
        },
    )
    try:
        await running.start()
        yield running
    finally:
        running.stop()


def client_from(edge: Stack, source: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    return httpx.AsyncClient(base_url=edge.url, transport=transport, timeout=15)


async def audited_addresses(env, authority_id: uuid.UUID) -> set[str | None]:
    conn = await db.connect(env.dsn("identity"))
    try:
        rows = await conn.fetch(
            "SELECT client_address FROM identity.audit_event WHERE authority_id = $1 AND action LIKE 'login%'",
            authority_id,
        )
    finally:
        await conn.close()
    return {row["client_address"] for row in rows}


async def login(client: httpx.AsyncClient, tenant, email: str, forwarded: str | None) -> int:
    body = {"authority": tenant.slug, "email": email, "password": "a wrong guess 1"}
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return (await client.post("/api/v1/auth/login", json=body, headers=headers)).status_code


async def forget_earlier_attempts(env) -> None:
    # Earlier tests of the run logged in from 127.0.0.1 too, under a higher limit: start from an empty bucket.
    conn = await db.connect(env.dsn("identity"))
    try:
        await conn.execute("TRUNCATE identity.rate_limit_hits")
    finally:
        await conn.close()


async def test_a_forged_header_moves_neither_the_limit_bucket_nor_the_audit_row(env, edge):
    await forget_earlier_attempts(env)
    tenant = await make_tenant(env)
    async with client_from(edge, "127.0.0.1") as client:
        user, _ = await create_user(client, env, tenant)
        statuses = [
            await login(
                client, tenant, user["email"] if i == 0 else f"u{i}@provider.example", f"198.51.100.{i}"
            )
            for i in range(LIMIT + 1)
        ]
    # Every attempt counted against 127.0.0.1, whatever each one claimed.
    assert statuses == [401] * LIMIT + [429]
    assert await audited_addresses(env, tenant.authority_id) == {"127.0.0.1"}


async def test_a_trusted_proxy_is_believed_up_to_the_rightmost_untrusted_hop(env, edge):
    tenant = await make_tenant(env)
    async with client_from(edge, TRUSTED_PROXY) as proxy:
        user, _ = await create_user(proxy, env, tenant)
        # The client forged the leftmost hop; 10.1.2.3 is another trusted proxy.
        first = await login(proxy, tenant, user["email"], "6.6.6.6, 203.0.113.9, 10.1.2.3")
        assert first == 401
        assert await audited_addresses(env, tenant.authority_id) == {"203.0.113.9"}
        # Each real client behind the proxy has a bucket of its own; the proxy itself is not limited.
        statuses = [
            await login(proxy, tenant, f"v{i}@provider.example", f"192.0.2.{i % 2 + 1}")
            for i in range(2 * LIMIT)
        ]
        assert statuses == [401] * (2 * LIMIT)
        assert await login(proxy, tenant, "w@provider.example", "192.0.2.1") == 429
