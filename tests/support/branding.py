"""The demo councils' branding for gateways that run without identity (in-process page tests, the
fake pages of the browser tests and screenshots): what identity would answer after `make run`'s seed."""

from __future__ import annotations

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
