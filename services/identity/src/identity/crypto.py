"""The secrets identity keeps: argon2id password hashes (computed off the event loop), security codes
encrypted with AES-GCM under a rotatable keyring (shared.sealing), opaque ids (journeys, sessions, API keys) stored only as SHA-256 digests."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.sealing import Keyring, Sealer, UnknownSealingKey

__all__ = [
    "Keyring",
    "PasswordHasher",
    "Sealer",
    "UnknownSealingKey",
    "digest",
    "keyed_digest",
    "new_secret",
    "temporary_password",
]


class PasswordHasher:
    """argon2id on a bounded pool of threads: the C library releases the GIL, so hashing runs in
    parallel with the event loop instead of blocking it, and the pool size caps the CPU it takes."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int, workers: int) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        # Verified when an e-mail has no account, so that an unknown e-mail costs the same time.
        self.dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, self._verify, password_hash, password
        )

    async def matches_any(self, hashes: list[str], password: str) -> bool:
        """Whether `password` is any of `hashes` (the history rule); all are checked in one thread."""
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, lambda: any(self._verify(h, password) for h in hashes)
        )

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def new_secret(prefix: str = "") -> str:
    """An opaque, unguessable id (256 bits) for a journey, a session or an API key."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    """What is stored of an opaque id: high-entropy values need no slow hash (OWASP)."""
    return hashlib.sha256(secret.encode()).digest()


def keyed_digest(*parts: str) -> bytes:
    """A stable hash of non-secret parts (an e-mail in an authority, an address) for counters."""
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def temporary_password() -> str:
    """An administrator-assigned password, valid for one login: 4 groups, letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        candidate = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
        classes = (str.islower, str.isupper, str.isdigit)
        if all(any(test(c) for c in candidate) for test in classes):
            return candidate
