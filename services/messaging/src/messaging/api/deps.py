"""What the messaging routes are given besides the caller and the unit of work: the service's files,
made once per process from its settings, and the clock (a test overrides `clock` to freeze the day)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from messaging.domain.clock import Clock
from messaging.handlers.attachments import ActionFiles
from shared.attachments import AttachmentSettings
from shared.service import RuntimeDep

SYSTEM_CLOCK = Clock()


async def action_files(runtime: RuntimeDep) -> ActionFiles:
    files = runtime.state.get("action_files")
    if files is None:
        settings = runtime.settings
        files = ActionFiles(settings if isinstance(settings, AttachmentSettings) else AttachmentSettings())
        runtime.state["action_files"] = files
    return files


def clock() -> Clock:
    return SYSTEM_CLOCK


FilesDep = Annotated[ActionFiles, Depends(action_files)]
ClockDep = Annotated[Clock, Depends(clock)]
