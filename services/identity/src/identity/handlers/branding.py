"""An authority's branding: the council edits it (council API); the gateway reads it by the portal's
address to dress its pages (internal API). Each change is audited and published with the authority's
full state, in one unit of work."""

from __future__ import annotations

from typing import Any

from identity import errors
from identity.domain import branding as rules
from identity.domain import security_codes
from identity.handlers.common import require_council, require_council_editor
from identity.handlers.directory import authority_event, checked_colours
from identity.store import branding as store
from identity.store import directory
from identity.store.branding import BrandedAuthority
from shared.uow import Caller, UnitOfWork, Work


async def my_branding(caller: Caller, work: Work) -> BrandedAuthority:
    principal = caller.principal
    require_council(principal)
    async with work.read() as conn:
        found = await store.branding_by_id(conn=conn, authority_id=principal.authority_id)
    if found is None:
        raise errors.not_found("authority")
    return found


async def set_branding(caller: Caller, work: Work, *, values: dict[str, Any]) -> BrandedAuthority:
    """Replace the caller's authority's branding with `values` (a field left out is cleared)."""
    principal = caller.principal
    require_council_editor(principal)
    values = checked_colours(values)
    async with work.begin(caller.actor) as uow:
        await store.set_branding(conn=uow.conn, authority_id=principal.authority_id, values=values)
        return await _published(uow, caller, "branding_changed")


async def set_logo(caller: Caller, work: Work, *, content: bytes) -> BrandedAuthority:
    principal = caller.principal
    require_council_editor(principal)
    try:
        media_type = rules.logo_type(content)
    except rules.BrandingRefused as exc:
        raise errors.invalid_field(exc.field, exc.message) from exc
    async with work.begin(caller.actor) as uow:
        await store.set_logo(
            conn=uow.conn, authority_id=principal.authority_id, media_type=media_type, content=content
        )
        return await _published(uow, caller, "logo_changed", media_type=media_type)


async def remove_logo(caller: Caller, work: Work) -> BrandedAuthority:
    principal = caller.principal
    require_council_editor(principal)
    async with work.begin(caller.actor) as uow:
        if not await store.remove_logo(conn=uow.conn, authority_id=principal.authority_id):
            raise errors.not_found("logo")
        return await _published(uow, caller, "logo_removed")


async def _published(uow: UnitOfWork, caller: Caller, action: str, **detail: Any) -> BrandedAuthority:
    authority_id = caller.principal.authority_id
    changed = await store.branding_by_id(conn=uow.conn, authority_id=authority_id)
    assert changed is not None  # the caller's own authority
    await uow.audit(action, authority_id=authority_id, **detail)
    await uow.publish(authority_event(changed), aggregate_id=authority_id, authority_id=authority_id)
    uow.log("authority_branding_changed", action=action, revision=changed.revision)
    return changed


async def branding_for_pages(work: Work, *, slug: str) -> dict[str, Any]:
    """What the portal's pages show of the authority at `slug`: its branding, and the rules its help
    page explains (password and security code, lock-outs)."""
    async with work.read() as conn:
        found = await store.branding_by_slug(conn=conn, slug=slug)
    if found is None:
        raise errors.unknown_authority(slug)
    return {
        **found.model_dump(),
        "password_rules": directory.policy_of(found).password.describe(),
        "security_code_rules": security_codes.describe(),
    }


async def logo_for_pages(work: Work, *, slug: str) -> store.Logo:
    async with work.read() as conn:
        logo = await store.logo_by_slug(conn=conn, slug=slug)
    if logo is None:
        raise errors.not_found("logo")
    return logo
