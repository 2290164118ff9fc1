"""identity's API as a first, reasonable implementation would hash: argon2id called straight from the
request handler, on the event loop. `python -m bench.naive_identity api` (the benchmark's naive login).

Same parameters and same code otherwise; only `PasswordHasher` is swapped for one that does not hand the
work to its threads, so while a hash runs (tens of ms) the process answers nothing else.
"""

from __future__ import annotations

from identity import context
from identity.crypto import PasswordHasher
from identity.main import main


class BlockingHasher(PasswordHasher):
    async def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return self._verify(password_hash, password)

    async def matches_any(self, hashes: list[str], password: str) -> bool:
        return any(self._verify(h, password) for h in hashes)


if __name__ == "__main__":
    context.PasswordHasher = BlockingHasher  # type: ignore[attr-defined]
    main()
