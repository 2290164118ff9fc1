"""The council's payment terms, invoice address and delivery address, shown on every purchase order of
its authority (PUT/GET /council/v1/payments/settings)."""

from __future__ import annotations

from payments.handlers.document_access import require_council
from payments.store import settings
from payments.store.settings import CouncilSettings
from shared.errors import Invalid
from shared.store import AuthorityScope
from shared.uow import Caller, Work

LIMITS = {"payment_terms": 500, "invoice_address": 500, "delivery_address": 500}


def _clean(field: str, value: str) -> str:
    text = value.replace("\r\n", "\n").strip()
    if len(text) > LIMITS[field]:
        raise Invalid.field(
            field, f"at most {LIMITS[field]} characters (this is {len(text)})", code="too-long"
        )
    if any(ord(ch) < 32 and ch != "\n" for ch in text):
        raise Invalid.field(field, "holds a control character", code="invalid-characters")
    return text


async def get_settings(caller: Caller, work: Work) -> CouncilSettings:
    require_council(caller.principal)
    async with work.read() as conn:
        return await settings.get(conn, scope=AuthorityScope(caller.principal.authority_id))


async def put_settings(
    caller: Caller, work: Work, *, payment_terms: str, invoice_address: str, delivery_address: str
) -> CouncilSettings:
    """All three at once (what is left empty shows empty); audited."""
    principal = caller.principal
    require_council(principal, edit=True)
    cleaned = {
        "payment_terms": _clean("payment_terms", payment_terms),
        "invoice_address": _clean("invoice_address", invoice_address),
        "delivery_address": _clean("delivery_address", delivery_address),
    }
    async with work.begin(caller.actor) as uow:
        saved = await settings.put(
            uow.conn, authority_id=principal.authority_id, updated_by=caller.principal.subject, **cleaned
        )
        await uow.audit("payments.settings.put", authority_id=principal.authority_id, version=saved.version)
    return saved
