"""How each authority presents its portal: its name, colours, support contact, help text and logo.

They are identity's authority branding (edited by the council with the council API), read through a
`BrandingSource` (web/branding_source.py), so pages never know where branding comes from. What an
authority has not configured falls back to the defaults below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.web import colours

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # safe in a URL path, a CSS class and a file name
# First path segments that belong to the gateway itself, never to an authority.
RESERVED_SLUGS = frozenset({"api", "council", "assets", "healthz", "readyz", "metrics", "favicon.ico"})
# For an authority that configured nothing (identity's columns left empty).
DEFAULT_TEAM = "Provider Portal team"
DEFAULT_HOURS = "Monday to Friday, 9am to 5pm (except bank holidays)"


@dataclass(frozen=True)
class SupportContact:
    team: str = DEFAULT_TEAM
    email: str | None = None
    telephone: str | None = None
    hours: str = DEFAULT_HOURS


@dataclass(frozen=True)
class Logo:
    media_type: str
    sha256: str


@dataclass(frozen=True)
class AccountRules:
    """The authority's rules that its help page explains (identity's policy, in identity's words)."""

    password_rules: tuple[str, ...] = ()
    password_expiry_days: int = 0
    max_password_failures: int = 0
    inactivity_lock_days: int = 0
    security_code_rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Branding:
    slug: str
    name: str  # as the seeds' "Welcome to the <name> Provider Portal"
    colour: str  # #rrggbb, the header and accents
    support: SupportContact = field(default_factory=SupportContact)
    help_text: str | None = None
    logo: Logo | None = None
    revision: int = 0  # identity's: changes with every change of the branding, so URLs can carry it
    rules: AccountRules = field(default_factory=AccountRules)
    service_name: str = "Provider Portal"

    def __post_init__(self) -> None:
        if not _SLUG.match(self.slug):
            raise ValueError(f"slug must be lower-case words joined by hyphens, not {self.slug!r}")
        if not colours.is_hex_colour(self.colour):
            raise ValueError(f"{self.slug}: colour must be #rrggbb, not {self.colour!r}")
        if self.slug in RESERVED_SLUGS:
            raise ValueError(f"{self.slug!r} is reserved by the gateway")

    @property
    def home_url(self) -> str:
        return f"/{self.slug}/"

    @property
    def title(self) -> str:
        """The portal's full name, e.g. "Telford & Wrekin Council Provider Portal"."""
        return f"{self.name} {self.service_name}".strip()

    @property
    def stylesheet_url(self) -> str:
        return f"/assets/brand/{self.slug}.css?v={self.revision}"

    @property
    def logo_url(self) -> str | None:
        return f"/assets/brand/{self.slug}/logo?v={self.logo.sha256[:16]}" if self.logo else None

    @property
    def help_paragraphs(self) -> list[str]:
        """The council's own help text, in paragraphs (plain text: blank lines part them)."""
        text = (self.help_text or "").replace("\r\n", "\n")
        return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def branding_from_identity(data: Mapping[str, Any]) -> Branding:
    """identity's /internal/v1/identity/authorities/{slug}/branding as a Branding, with the defaults for
    whatever the authority has not configured."""
    logo = data.get("logo")
    return Branding(
        slug=str(data["slug"]),
        name=str(data["name"]),
        colour=str(data["primary_colour"]),
        support=SupportContact(
            team=data.get("support_team") or DEFAULT_TEAM,
            email=data.get("support_email"),
            telephone=data.get("support_phone"),
            hours=data.get("support_hours") or DEFAULT_HOURS,
        ),
        help_text=data.get("help_text"),
        logo=Logo(media_type=str(logo["media_type"]), sha256=str(logo["sha256"])) if logo else None,
        revision=int(data.get("revision") or 0),
        rules=AccountRules(
            password_rules=tuple(data.get("password_rules") or ()),
            password_expiry_days=int(data.get("password_expiry_days") or 0),
            max_password_failures=int(data.get("max_password_failures") or 0),
            inactivity_lock_days=int(data.get("inactivity_lock_days") or 0),
            security_code_rules=tuple(data.get("security_code_rules") or ()),
        ),
    )


class BrandingSource(Protocol):
    async def get(self, slug: str) -> Branding | None: ...

    async def all(self) -> Sequence[Branding]: ...

    async def logo(self, slug: str) -> tuple[str, bytes] | None:
        """The logo's media type and bytes, or None."""
        ...


class StaticBrandingSource:
    """Branding from a fixed table (tests of pages that run without identity)."""

    def __init__(
        self, brandings: Sequence[Branding], logos: Mapping[str, tuple[str, bytes]] | None = None
    ) -> None:
        self._by_slug = {b.slug: b for b in brandings}
        self._logos = dict(logos or {})

    async def get(self, slug: str) -> Branding | None:
        return self._by_slug.get(slug)

    async def all(self) -> Sequence[Branding]:
        return sorted(self._by_slug.values(), key=lambda b: b.name)

    async def logo(self, slug: str) -> tuple[str, bytes] | None:
        return self._logos.get(slug)


# The gateway's own pages (the list of councils, API documentation, errors outside any authority).
PORTAL = Branding(
    slug="portal",
    name="Provider Portal",
    colour="#1f3a5f",
    support=SupportContact(team="the council that gave you access"),
    service_name="",
)


def brand_stylesheet(branding: Branding, *, others: Sequence[Branding] = ()) -> str:
    """The authority's colours as CSS custom properties (a stylesheet, because the CSP allows no inline
    style). Text colours are derived so that they always meet WCAG AA contrast on the brand colour.
    `others` (on the list of councils) get a class each, `portal-brand--<slug>`, that wears their colours."""
    rules = [f":root{{{_properties(branding)}}}"]
    rules += [f".portal-brand--{other.slug}{{{_properties(other)}}}" for other in others]
    return "\n".join(rules) + "\n"


def _properties(branding: Branding) -> str:
    brand = branding.colour
    values = {
        "--portal-brand-colour": brand,
        "--portal-brand-text-colour": colours.text_colour_on(brand),
        "--portal-brand-tint-colour": colours.tint(brand, 0.92),
        "--portal-brand-link-colour": colours.readable_on_white(brand),
        "--govuk-brand-colour": brand,
        "--govuk-template-background-colour": colours.tint(brand, 0.95),
    }
    return "".join(f"{name}:{value};" for name, value in values.items())
