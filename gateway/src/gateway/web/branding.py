"""How each authority presents its portal: its name, colour, support contact and the tasks it offers.

For now a table in the gateway (the demo councils of devtools/seed.py); later identity's authority
branding, behind the same `BrandingSource` interface, so pages never know where branding comes from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from gateway.web import colours
from gateway.web.tasks import TaskId

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # safe in a URL path, a CSS class and a file name
# First path segments that belong to the gateway itself, never to an authority.
RESERVED_SLUGS = frozenset({"api", "council", "assets", "healthz", "readyz", "metrics", "favicon.ico"})


@dataclass(frozen=True)
class SupportContact:
    team: str
    email: str | None = None
    telephone: str | None = None
    hours: str = "Monday to Friday, 9am to 5pm (except bank holidays)"


@dataclass(frozen=True)
class Branding:
    slug: str
    name: str  # as the seeds' "Welcome to the <name> Provider Portal"
    colour: str  # #rrggbb, the header and accents
    support: SupportContact
    offered_tasks: frozenset[TaskId] = field(default_factory=lambda: frozenset(TaskId))
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


class BrandingSource(Protocol):
    async def get(self, slug: str) -> Branding | None: ...

    async def all(self) -> Sequence[Branding]: ...


class StaticBrandingSource:
    """Branding from a fixed table (the demo councils until identity serves authority branding)."""

    def __init__(self, brandings: Sequence[Branding]) -> None:
        self._by_slug = {b.slug: b for b in brandings}

    async def get(self, slug: str) -> Branding | None:
        return self._by_slug.get(slug)

    async def all(self) -> Sequence[Branding]:
        return sorted(self._by_slug.values(), key=lambda b: b.name)


# The gateway's own pages (the list of councils, API documentation, errors outside any authority).
PORTAL = Branding(
    slug="portal",
    name="Provider Portal",
    colour="#1f3a5f",
    support=SupportContact(team="the council that gave you access"),
    service_name="",
)

_ADULTS = frozenset(
    {
        TaskId.scheduled_payments,
        TaskId.purchase_orders,
        TaskId.reports,
        TaskId.actions,
        TaskId.actuals,
        TaskId.care_package_line_items,
        TaskId.invoices,
        TaskId.contacts,
        TaskId.organisation_details,
    }
)
# Children's portals pay foster carers and supported-lodgings providers: the Durham guide's home page.
_CHILDRENS = frozenset(
    {
        TaskId.scheduled_payments,
        TaskId.one_off_claims,
        TaskId.purchase_orders,
        TaskId.reports,
        TaskId.actions,
    }
)
DEMO_BRANDINGS: tuple[Branding, ...] = (
    Branding(
        slug="telford-wrekin",
        name="Telford & Wrekin Council",
        colour="#00594f",
        support=SupportContact(team="Provider Portal team", email="ECM@telford.gov.uk"),
        offered_tasks=_ADULTS,
    ),
    Branding(
        slug="durham-childrens",
        name="Durham County Council Children's",
        colour="#4b2e83",
        support=SupportContact(team="Children's Services Finance Team"),
        offered_tasks=_CHILDRENS,
    ),
    Branding(
        slug="worcestershire-adults",
        name="Worcestershire County Council",
        colour="#8a1538",
        support=SupportContact(team="Adult Services Provider Portal team"),
        # The adults' guide: "currently made up of four areas".
        offered_tasks=frozenset(
            {TaskId.purchase_orders, TaskId.reports, TaskId.actuals, TaskId.care_package_line_items}
        ),
    ),
    Branding(
        slug="worcestershire-childrens",
        name="Worcestershire Children First",
        colour="#005f73",
        support=SupportContact(team="Worcestershire Children First System Support Team"),
        offered_tasks=_CHILDRENS,
    ),
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
