"""The answer of an authorised download route: the stored bytes as a download, never as a page.

@router.get("/claims/{claim_id}/attachments/{attachment_id}")
async def download(claim_id: UUID, attachment_id: UUID, principal: CurrentPrincipal, ...) -> Response:
    attachment, data = await attachments.read(pool, tenancy=Tenancy.of(principal), attachment_id=...)
    return download_response(attachment, data)  # after checking the claim is the caller's to see
"""

from __future__ import annotations

from fastapi import Response

from shared.attachments.content import content_disposition
from shared.attachments.store import Attachment

# A browser that renders the file anyway (an old one, a misconfigured proxy) runs nothing in it.
SANDBOX = "default-src 'none'; sandbox"


def download_response(attachment: Attachment, data: bytes) -> Response:
    """The bytes with the stored content type, as an attachment under its safe name, not sniffed,
    not cached by shared caches."""
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": content_disposition(attachment.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": SANDBOX,
        },
    )
