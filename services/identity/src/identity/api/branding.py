"""An authority's branding: the council edits it (GET/PUT /council/v1/identity/authority/branding, and
its logo); the gateway reads it, by the portal's address, to dress the pages (internal API)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from identity.api.deps import GatewayActor
from identity.api.schemas import SLUG, Email, OneLine, Phone
from identity.domain.branding import MAX_LOGO_BYTES
from identity.handlers import branding
from identity.store.branding import BrandedAuthority
from shared.http import CurrentCaller
from shared.service import WorkDep

council_api = APIRouter(prefix="/council/v1/identity/authority/branding", tags=["council"])
internal = APIRouter(prefix="/internal/v1/identity/authorities", include_in_schema=False)
Slug = Annotated[str, Path(pattern=SLUG)]
COLOUR_RULE = "#rrggbb; white text on it must have a contrast ratio of at least 4.5:1 (WCAG AA)"


class BrandingIn(BaseModel):
    """The whole branding: a field left out is cleared (the portal then shows its default)."""

    name: OneLine = Field(min_length=1, max_length=200, description="e.g. Telford & Wrekin Council")
    primary_colour: str = Field(max_length=7, description="the header's colour: " + COLOUR_RULE)
    secondary_colour: str = Field("#0b0c0c", max_length=7, description="accents: " + COLOUR_RULE)
    support_team: OneLine | None = Field(
        None, min_length=1, max_length=120, examples=["Provider Portal team"]
    )
    support_email: Email | None = None
    support_phone: Phone | None = None
    support_hours: OneLine | None = Field(
        None, min_length=1, max_length=200, examples=["Monday to Friday, 9am to 5pm (except bank holidays)"]
    )
    help_text: str | None = Field(
        None,
        min_length=1,
        max_length=4000,
        description="plain text for the help page; blank lines part paragraphs",
    )


class Logo(BaseModel):
    media_type: str
    sha256: str
    bytes: int


class BrandingPublic(BaseModel):
    slug: str
    name: str
    primary_colour: str
    secondary_colour: str
    support_team: str | None
    support_email: str | None
    support_phone: str | None
    support_hours: str | None
    help_text: str | None
    logo: Logo | None
    revision: int = Field(description="changes with every change of the authority, its branding or logo")


class PageBranding(BrandingPublic):
    """What the portal's pages need: the branding and the rules the help page explains."""

    password_rules: list[str]
    password_expiry_days: int
    max_password_failures: int
    inactivity_lock_days: int
    security_code_rules: list[str]


def _public(found: BrandedAuthority | dict[str, Any]) -> dict[str, Any]:
    row = found.model_dump() if isinstance(found, BrandedAuthority) else found
    logo = row["logo_sha256"] and {
        "media_type": row["logo_media_type"],
        "sha256": row["logo_sha256"],
        "bytes": row["logo_bytes"],
    }
    return {**row, "logo": logo or None}


@council_api.get("", response_model=BrandingPublic, summary="My authority's branding")
async def get_branding(caller: CurrentCaller, work: WorkDep) -> dict[str, Any]:
    return _public(await branding.my_branding(caller, work))


@council_api.put("", response_model=BrandingPublic, summary="Replace my authority's branding")
async def put_branding(body: BrandingIn, caller: CurrentCaller, work: WorkDep) -> dict[str, Any]:
    return _public(await branding.set_branding(caller, work, values=body.model_dump()))


@council_api.put(
    "/logo",
    response_model=BrandingPublic,
    summary="Upload the logo",
    description=f"The image file as the request body: PNG or JPEG (not SVG), at most {MAX_LOGO_BYTES}"
    " bytes. The type is read from the content.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                m: {"schema": {"type": "string", "format": "binary"}} for m in ("image/png", "image/jpeg")
            },
        }
    },
)
async def put_logo(request: Request, caller: CurrentCaller, work: WorkDep) -> dict[str, Any]:
    return _public(await branding.set_logo(caller, work, content=await request.body()))


@council_api.delete("/logo", response_model=BrandingPublic, summary="Remove the logo")
async def delete_logo(caller: CurrentCaller, work: WorkDep) -> dict[str, Any]:
    return _public(await branding.remove_logo(caller, work))


@internal.get("/{slug}/branding", response_model=PageBranding)
async def branding_for_pages(slug: Slug, _: GatewayActor, work: WorkDep) -> dict[str, Any]:
    return _public(await branding.branding_for_pages(work, slug=slug))


@internal.get("/{slug}/logo")
async def logo_for_pages(slug: Slug, _: GatewayActor, work: WorkDep) -> Response:
    logo = await branding.logo_for_pages(work, slug=slug)
    return Response(logo.content, media_type=logo.media_type, headers={"etag": f'"{logo.sha256}"'})
