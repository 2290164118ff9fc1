"""What identity's handlers depend on, chosen once at start-up (main.py) and passed down."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import asyncpg

from identity.config import Settings
from identity.crypto import PasswordHasher, Sealer
from shared.auth import SigningKey
from shared.bus import Outbox


@dataclass(frozen=True)
class Context:
    pool: asyncpg.Pool
    outbox: Outbox
    settings: Settings
    hasher: PasswordHasher
    codes: Sealer  # security codes at rest
    delivery: Sealer  # temporary passwords in events, opened by the messaging service
    signer: SigningKey
    rng: random.Random = field(default_factory=random.SystemRandom)


@dataclass(frozen=True)
class Caller:
    """Who is acting and from where: for the audit log and the rate limits."""

    address: str | None = None
    request_id: str | None = None
    actor_kind: str = "anonymous"  # anonymous, user, api_key, council_client, system
    actor_id: str | None = None


def build_context(*, pool: asyncpg.Pool, outbox: Outbox, settings: Settings, signer: SigningKey) -> Context:
    return Context(
        pool=pool,
        outbox=outbox,
        settings=settings,
        hasher=PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            workers=settings.hash_workers,
        ),
        codes=Sealer(settings.key_bytes("security_code_key")),
        delivery=Sealer(settings.key_bytes("delivery_key")),
        signer=signer,
    )
