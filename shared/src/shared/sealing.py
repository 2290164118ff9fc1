"""Sealing a short secret for one recipient service: AES-256-GCM with a random nonce, and the id of
what it belongs to (a user) as associated data, so a sealed value copied elsewhere does not open.

Identity seals security codes at rest with its own keys (a Keyring: the current key and, during a
rotation, previous ones), and temporary passwords in events with a delivery key it shares with the
messaging service, which opens them to send the e-mail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class Sealer:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("an AES-256 key is 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_base64(cls, key: str) -> Sealer:
        return cls(base64.b64decode(key, validate=True))

    def seal(self, plaintext: str, *, owner: uuid.UUID) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), owner.bytes)

    def open(self, sealed: bytes, *, owner: uuid.UUID) -> str:
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], owner.bytes).decode()
        except (InvalidTag, ValueError) as exc:
            raise ValueError("the sealed value does not open with this key and owner") from exc

    def seal_text(self, plaintext: str, *, owner: uuid.UUID) -> str:
        """`seal`, as URL-safe base64 (for JSON)."""
        return base64.urlsafe_b64encode(self.seal(plaintext, owner=owner)).decode()

    def open_text(self, sealed: str, *, owner: uuid.UUID) -> str:
        return self.open(base64.urlsafe_b64decode(sealed), owner=owner)


# --- a keyring: sealing with the current key, opening with whichever key sealed the value ---------

# A value sealed by a Keyring starts with this format byte and the id of its key, so that opening takes
# the one key that sealed it (and names an unknown one) and the stored values still under an old key can
# be found by their first bytes (identity's `reseal`). Values sealed by a plain Sealer (the format before
# key ids: nonce first) still open: they are tried against every key of the ring.
KEYED_FORMAT = b"\x01"
KEY_ID_BYTES = 4
HEADER_BYTES = len(KEYED_FORMAT) + KEY_ID_BYTES


def key_id(key: bytes) -> bytes:
    """A key's public id (a key check value): an HMAC of a fixed label, which tells nothing of the key."""
    return hmac.new(key, b"provider-portal sealing key id", hashlib.sha256).digest()[:KEY_ID_BYTES]


class UnknownSealingKey(ValueError):
    """No key of the ring opens the value: it names a key that is not configured (dropped too early), or it
    names a configured one and does not open with it (changed, or copied from another owner), or it has no
    key id and opens with none of the keys. `key_id` is the id it names (hex), if any: never the key."""

    def __init__(self, key_id: str | None, *, configured: bool = False) -> None:
        self.key_id = key_id
        self.configured = configured
        if key_id is None:
            message = "the sealed value has no key id and opens with none of the configured keys"
        elif configured:
            message = (
                f"the sealed value does not open with its key (id {key_id}): changed, or another owner's"
            )
        else:
            message = (
                f"the sealed value names key id {key_id}, which is neither the current key nor a previous one"
            )
        super().__init__(message)


class Keyring:
    """The current key, which seals, and previous keys, which only open (during a rotation)."""

    def __init__(self, current: bytes, previous: Sequence[bytes] = ()) -> None:
        keys = [current, *(k for k in previous if k != current)]
        for key in keys:
            if len(key) != 32:
                raise ValueError("an AES-256 key is 32 bytes")
        ids = [key_id(k) for k in keys]
        if len(set(ids)) != len(ids):  # 1 in 2^32 for two random keys: then pick another key
            raise ValueError("two different keys have the same key id; generate another current key")
        self._aeads = {i: AESGCM(k) for i, k in zip(ids, keys, strict=True)}
        self._legacy = [Sealer(k) for k in keys]
        self.current_header = KEYED_FORMAT + ids[0]

    @property
    def current_key_id(self) -> str:
        return self.current_header[len(KEYED_FORMAT) :].hex()

    @property
    def previous_key_ids(self) -> list[str]:
        return [i.hex() for i in list(self._aeads)[1:]]

    def seal(self, plaintext: str, *, owner: uuid.UUID) -> bytes:
        header = self.current_header
        nonce = os.urandom(NONCE_BYTES)
        aead = self._aeads[header[len(KEYED_FORMAT) :]]
        return header + nonce + aead.encrypt(nonce, plaintext.encode(), header + owner.bytes)

    def open(self, sealed: bytes, *, owner: uuid.UUID) -> str:
        """The plaintext, with the key the value names; UnknownSealingKey when no key of the ring opens it."""
        named = sealed[len(KEYED_FORMAT) : HEADER_BYTES] if sealed[:1] == KEYED_FORMAT else None
        aead = self._aeads.get(named) if named is not None else None
        if aead is not None and named is not None:
            body = sealed[HEADER_BYTES:]
            try:
                nonce, ciphertext = body[:NONCE_BYTES], body[NONCE_BYTES:]
                return aead.decrypt(nonce, ciphertext, sealed[:HEADER_BYTES] + owner.bytes).decode()
            except (InvalidTag, ValueError):
                pass  # a value of the old format whose random nonce begins like a header: tried below
        for legacy in self._legacy:
            try:
                return legacy.open(sealed, owner=owner)
            except ValueError:
                continue
        raise UnknownSealingKey(named.hex() if named is not None else None, configured=aead is not None)

    def is_current(self, sealed: bytes) -> bool:
        """Whether the value is sealed with the current key in the keyed format (nothing to re-seal)."""
        return sealed[:HEADER_BYTES] == self.current_header

    def reseal(self, sealed: bytes, *, owner: uuid.UUID) -> bytes | None:
        """The value sealed again with the current key, or None when it already is."""
        if self.is_current(sealed):
            return None
        return self.seal(self.open(sealed, owner=owner), owner=owner)
