"""What the claims routes are given besides the caller and the unit of work: the service's attachments,
made once per process from its settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from claims.handlers.attachments import ClaimFiles
from shared.attachments import AttachmentSettings
from shared.service import RuntimeDep


async def claim_files(runtime: RuntimeDep) -> ClaimFiles:
    files = runtime.state.get("claim_files")
    if files is None:
        settings = runtime.settings
        # The claims settings take AttachmentSettings in (claims.config); defaults otherwise.
        files = ClaimFiles(settings if isinstance(settings, AttachmentSettings) else AttachmentSettings())
        runtime.state["claim_files"] = files
    return files


FilesDep = Annotated[ClaimFiles, Depends(claim_files)]
