"""The demo councils' branding for gateways that run without identity (in-process page tests, the
fake pages of the browser tests and screenshots): what identity would answer after `make run`'s seed."""

from __future__ import annotations

import struct
import zlib

from devtools.demo_branding import BRANDINGS
from gateway.web.branding import Branding, StaticBrandingSource, branding_from_identity
from identity.domain import security_codes
from identity.domain.passwords import PasswordPolicy


def demo_brandings() -> list[Branding]:
    return [
        branding_from_identity(
            {
                "slug": slug,
                **values,
                "revision": 1,
                "password_rules": PasswordPolicy().describe(),
                "password_expiry_days": 90,
                "max_password_failures": 3,
                "inactivity_lock_days": 30,
                "security_code_rules": security_codes.describe(),
            }
        )
        for slug, values in BRANDINGS.items()
    ]


def demo_branding_source() -> StaticBrandingSource:
    return StaticBrandingSource(demo_brandings())


def tiny_png(width: int = 2, height: int = 1, rgb: bytes = b"\x00\x59\x4f") -> bytes:
    """A real, tiny PNG (signature, IHDR, IDAT, IEND): a council's logo in tests."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + rgb * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
