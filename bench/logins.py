"""The login benchmark's scenarios: the floor (argon2id verifications alone), full logins through the
gateway (to our identity, or to the naive one hashing on its event loop), and a burst of concurrent
logins while another process times a cheap authenticated GET (bench/watch.py).

A login is the JSON journey a browser makes: POST /api/v1/auth/login (e-mail and password: one argon2id
verification at identity), then POST /api/v1/auth/login/challenge (two digits of the security code:
AES-GCM, no argon2), each through the gateway to identity and its database.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import argon2
import httpx

from bench.children import cpu_seconds
from bench.processes import process_cpu
from bench.scenarios import backend_cpu
from identity.config import Settings as IdentitySettings
from identity.store import logins as login_state
from identity.store import memberships, users
from shared import db
from shared.sealing import Keyring
from tests.support.environment import RunEnvironment
from tests.support.identity import make_tenant
from tests.support.stack import Stack

PASSWORD = "bench passphrase, long enough 7"
CODE = "802417"
ME = "/api/v1/identity/me"
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Rate:
    name: str
    count: int  # verifications (the floor) or logins
    seconds: float
    cpu: dict[str, float]  # seconds, by process

    @property
    def rate(self) -> float:
        return self.count / self.seconds


@dataclass(frozen=True)
class Burst:
    name: str
    logins: int
    seconds: float  # first login sent -> last login done
    gets: list[float]  # each GET's latency in seconds, while the burst ran
    failed: int  # GETs not answered 200


def hasher(settings: IdentitySettings) -> argon2.PasswordHasher:
    """argon2id with identity's parameters, as identity.crypto.PasswordHasher builds it."""
    return argon2.PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
        type=argon2.Type.ID,
    )


async def floor(settings: IdentitySettings, *, count: int) -> Rate:
    """`count` verifications of a right password on identity's number of hashing threads."""
    raw = hasher(settings)
    stored = raw.hash(PASSWORD)
    with ThreadPoolExecutor(max_workers=settings.hash_workers) as pool:
        before = cpu_seconds()
        started = time.perf_counter()
        assert all(
            await asyncio.to_thread(lambda: list(pool.map(raw.verify, [stored] * count, [PASSWORD] * count)))
        )
        seconds = time.perf_counter() - started
    return Rate("floor", count, seconds, {"bench": cpu_seconds() - before})


@dataclass(frozen=True)
class Population:
    authority: str  # its slug
    emails: list[str]


async def seed_users(env: RunEnvironment, settings: IdentitySettings, *, count: int) -> Population:
    """`count` users of one provider, past their first login: PASSWORD and CODE (one hash for all)."""
    tenant = await make_tenant(env)
    organisation_id = tenant.organisations["A"]
    password_hash = hasher(settings).hash(PASSWORD)
    codes = Keyring(settings.key_bytes("security_code_key"))
    emails = [f"bench-{n:05d}@provider.example" for n in range(count)]
    conn = await db.connect(env.dsn("identity"))
    try:
        for number, email in enumerate(emails):
            async with conn.transaction():
                user = await users.add_user(
                    conn=conn,
                    authority_id=tenant.authority_id,
                    email=email,
                    forename="Bench",
                    surname=f"User {number}",
                    phone=None,
                    address=None,
                    is_council=False,
                    council_can_edit=False,
                    password_hash=password_hash,
                )
                user_id: uuid.UUID = user.user_id
                await users.set_password(
                    conn=conn, user_id=user_id, password_hash=password_hash, must_change=False
                )
                await users.set_security_code(
                    conn=conn, user_id=user_id, sealed=codes.seal(CODE, owner=user_id)
                )
                await login_state.restart_inactivity_clock(conn=conn, user_id=user_id)
                await memberships.upsert_membership(
                    conn=conn,
                    user_id=user_id,
                    organisation_id=organisation_id,
                    role="full",
                    can_edit=True,
                    scope_type="organisation",
                    scope_id=organisation_id,
                )
    finally:
        await conn.close()
    return Population(tenant.slug, emails)


async def log_in(client: httpx.AsyncClient, authority: str, email: str) -> None:
    """The whole journey as a browser with no session yet makes it; any other answer fails the run."""
    client.cookies.clear()
    started = await client.post(
        "/api/v1/auth/login", json={"authority": authority, "email": email, "password": PASSWORD}
    )
    state = started.json()
    if started.status_code != 200 or state.get("step") != "security_code_challenge":
        raise RuntimeError(f"login of {email}: {started.status_code} {started.text}")
    digits = [CODE[p - 1] for p in state["positions"]]
    done = await client.post(
        "/api/v1/auth/login/challenge", json={"journey_id": state["journey_id"], "digits": digits}
    )
    if done.status_code != 200 or done.json().get("step") != "done":
        raise RuntimeError(f"challenge of {email}: {done.status_code} {done.text}")


def browsers(stack: Stack, count: int) -> list[httpx.AsyncClient]:
    """One client (cookie jar) per browser."""
    return [httpx.AsyncClient(base_url=stack.url, timeout=60) for _ in range(count)]


async def close_all(clients: Sequence[httpx.AsyncClient]) -> None:
    await asyncio.gather(*(c.aclose() for c in clients))


class Meter:
    """CPU seconds used by this process, the stack's processes and the run database's backends."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    async def read(self) -> tuple[dict[str, float], dict[int, float]]:
        python = {"bench": cpu_seconds()} | {
            name: process_cpu(proc.pid) for name, proc in self.stack.processes.items()
        }
        return python, await backend_cpu(self.stack.env.database)

    @staticmethod
    def used(
        before: tuple[dict[str, float], dict[int, float]], after: tuple[dict[str, float], dict[int, float]]
    ) -> dict[str, float]:
        used = {name: seconds - before[0][name] for name, seconds in after[0].items()}
        used["postgres"] = sum(seconds - before[1].get(pid, 0.0) for pid, seconds in after[1].items())
        return used


async def logins(name: str, stack: Stack, people: Population, *, count: int, concurrency: int) -> Rate:
    """`count` full logins, `concurrency` browsers at a time, each login a different user in turn."""
    clients = browsers(stack, concurrency)
    queue = iter(range(count))
    meter = Meter(stack)

    async def browse(client: httpx.AsyncClient) -> None:
        for number in queue:
            await log_in(client, people.authority, people.emails[number % len(people.emails)])

    try:
        before = await meter.read()
        started = time.perf_counter()
        await asyncio.gather(*(browse(c) for c in clients))
        seconds = time.perf_counter() - started
        cpu = Meter.used(before, await meter.read())
    finally:
        await close_all(clients)
    return Rate(name, count, seconds, cpu)


async def burst(name: str, stack: Stack, people: Population, *, size: int, pause: float) -> Burst:
    """`size` logins at once (different users) while bench/watch.py GETs /me with a session of its own."""
    watcher_client = httpx.AsyncClient(base_url=stack.url, timeout=60)
    await log_in(watcher_client, people.authority, people.emails[-1])
    cookie = watcher_client.cookies["portal_session"]
    await watcher_client.aclose()
    watcher = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.watch",
        stack.url + ME,
        cookie,
        str(pause),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert watcher.stdin is not None and watcher.stdout is not None
    clients = browsers(stack, size)
    try:
        if await watcher.stdout.readline() != b"ready\n":
            raise RuntimeError("bench.watch did not start")
        await asyncio.sleep(0.5)  # a few GETs before the burst: the watcher's token is cached
        started, since = time.perf_counter(), time.time()
        await asyncio.gather(*(log_in(c, people.authority, people.emails[n]) for n, c in enumerate(clients)))
        seconds, until = time.perf_counter() - started, time.time()
        watcher.stdin.write(b"stop\n")
        await watcher.stdin.drain()
        out, _ = await watcher.communicate()
    finally:
        await close_all(clients)
        if watcher.returncode is None:
            watcher.kill()
            await watcher.wait()
    timings = json.loads(out)
    gets = [latency for sent, latency in timings["gets"] if since <= sent <= until]
    return Burst(name, size, seconds, gets, timings["failed"])
