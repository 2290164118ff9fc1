"""What identity's handlers depend on, chosen once at start-up (main.py) and passed down.

A handler takes who calls first, then this context: `handler(caller, ctx, *, inputs)`. Once the
gateway's token is verified, who calls is a `shared.uow.Caller` (the principal: what they may see and
do; the actor: who and from where). Before anyone is verified - the login journey, the forgotten-password
form, the gateway's exchange of a session, an API key or a client secret for a token - there is no
principal yet, only where the request comes from: those handlers take a `shared.uow.Actor` alone in the
caller's place (kind "anonymous", with the address and request id), which is all the audit log, the
rate limits and the log lines need.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from identity.config import Settings
from identity.crypto import Keyring, PasswordHasher, Sealer
from shared.auth import SigningKey
from shared.uow import Work


@dataclass(frozen=True)
class Context:
    work: Work  # the units of work: the transaction, its outbox and its audit log
    settings: Settings
    hasher: PasswordHasher
    codes: Keyring  # security codes at rest: sealed with the current key, opened with the one that sealed
    delivery: Sealer  # temporary passwords in events, opened by the messaging service
    signer: SigningKey
    rng: random.Random = field(default_factory=random.SystemRandom)


def code_keyring(settings: Settings) -> Keyring:
    return Keyring(settings.key_bytes("security_code_key"), settings.previous_code_keys())


def build_context(*, work: Work, settings: Settings, signer: SigningKey) -> Context:
    return Context(
        work=work,
        settings=settings,
        hasher=PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            workers=settings.hash_workers,
        ),
        codes=code_keyring(settings),
        delivery=Sealer(settings.key_bytes("delivery_key")),
        signer=signer,
    )
