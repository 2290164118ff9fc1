"""Sealing a short secret for one recipient service: AES-256-GCM with a random nonce, and the id of
what it belongs to (a user) as associated data, so a sealed value copied elsewhere does not open.

Identity seals security codes at rest with its own key, and temporary passwords in events with a
delivery key it shares with the messaging service, which opens them to send the e-mail.
"""

from __future__ import annotations

import base64
import os
import uuid

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
