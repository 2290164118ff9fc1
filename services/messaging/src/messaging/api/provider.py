"""A provider's Actions and Change Requests (/api/v1/messaging): the list with its filters and status
lights, the home card, New Action, a thread with its Comment, Reply and closure request, its files; and
the council's action types and teams the New Action form offers."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Response, UploadFile

from messaging.api.deps import ClockDep, FilesDep
from messaging.api.models import (
    ClosureRequestIn,
    NewActionIn,
    PostIn,
    RelatedOption,
    TeamOut,
    TypeOut,
)
from messaging.domain.rules import Move
from messaging.handlers import configuration, thread_reads, threads
from messaging.handlers.access import require_provider
from messaging.handlers.views import ActionSummary, Summary, Thread
from messaging.store import actions
from shared.attachments import download_response
from shared.errors import Invalid
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

provider_api = APIRouter(prefix="/api/v1/messaging", tags=["actions"])
Assigned = Literal["provider", "council"]


@provider_api.get(
    "/actions",
    response_model=list[ActionSummary],
    responses=PAGED,
    summary="My organisation's actions, latest post first, with their status lights",
)
async def list_actions(
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    page: PageDep,
    open_only: bool = True,
    assigned_to: Assigned | None = None,
    team_id: uuid.UUID | None = None,
) -> list[ActionSummary]:
    require_provider(caller.principal)
    filters = actions.Filters(open_only=open_only, assigned_to=assigned_to, team_id=team_id)
    rows = await thread_reads.list_actions(
        caller, work, clock, filters=filters, limit=page.fetch, offset=page.offset
    )
    return page.of(rows)


@provider_api.get("/summary", response_model=Summary, summary="The home card: open actions and their light")
async def home_summary(caller: CurrentCaller, work: WorkDep, clock: ClockDep) -> Summary:
    require_provider(caller.principal)
    return await thread_reads.home_summary(caller, work, clock)


@provider_api.post(
    "/actions", response_model=Thread, status_code=201, summary="New Action, to a council team"
)
async def open_action(body: NewActionIn, caller: CurrentCaller, work: WorkDep, clock: ClockDep) -> Thread:
    form = threads.NewActionForm(
        type_id=body.type_id,
        related_kind=body.related_kind,
        related_id=body.related_id,
        team_id=body.team_id,
        title=body.title,
        text=body.text,
    )
    return await threads.open_action(caller, work, clock, form=form)


@provider_api.get("/actions/{action_id}", response_model=Thread, summary="An action with its thread")
async def read_thread(
    action_id: uuid.UUID, caller: CurrentCaller, work: WorkDep, clock: ClockDep, files: FilesDep
) -> Thread:
    require_provider(caller.principal)
    return await thread_reads.read_thread(caller, work, clock, files, action_id=action_id)


async def _move(
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    files: FilesDep,
    action_id: uuid.UUID,
    move: Move,
    text: str | None,
) -> Thread:
    require_provider(caller.principal)
    return await threads.post(caller, work, clock, files, action_id=action_id, move=move, text=text)


@provider_api.post(
    "/actions/{action_id}/comments",
    response_model=Thread,
    summary="Comment: add to the conversation without passing it back",
)
async def comment(
    action_id: uuid.UUID, body: PostIn, caller: CurrentCaller, work: WorkDep, clock: ClockDep, files: FilesDep
) -> Thread:
    return await _move(caller, work, clock, files, action_id, Move.comment, body.text)


@provider_api.post(
    "/actions/{action_id}/replies",
    response_model=Thread,
    summary="Reply: pass the action to the council team",
)
async def reply(
    action_id: uuid.UUID, body: PostIn, caller: CurrentCaller, work: WorkDep, clock: ClockDep, files: FilesDep
) -> Thread:
    return await _move(caller, work, clock, files, action_id, Move.reply, body.text)


@provider_api.post(
    "/actions/{action_id}/closure-request",
    response_model=Thread,
    summary="Ask the council to close the action (people only, with Edit access)",
)
async def request_closure(
    action_id: uuid.UUID,
    body: ClosureRequestIn,
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    files: FilesDep,
) -> Thread:
    return await _move(caller, work, clock, files, action_id, Move.closure_request, body.text)


@provider_api.post(
    "/actions/{action_id}/attachments",
    response_model=Thread,
    summary="Add a file to an open action (PDF, image, spreadsheet, document, CSV or text)",
)
async def attach(
    action_id: uuid.UUID,
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    files: FilesDep,
    attachment: Annotated[UploadFile, File(description="the file")],
) -> Thread:
    require_provider(caller.principal)
    return await attach_upload(caller, work, clock, files, action_id, attachment)


async def attach_upload(
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    files: FilesDep,
    action_id: uuid.UUID,
    upload: UploadFile,
) -> Thread:
    """Read at most one byte over the limit: a larger file is refused without holding all of it."""
    data = await upload.read(files.max_bytes + 1)
    if len(data) > files.max_bytes:
        limit = files.max_bytes
        raise Invalid.field(
            "attachment",
            f"the file is too large: the most accepted is {limit:,} bytes ({limit / 1048576:g} MB)",
            code="attachment-too-large",
        )
    return await threads.attach(
        caller,
        work,
        clock,
        files,
        action_id=action_id,
        filename=upload.filename or "attachment",
        declared_type=upload.content_type,
        data=data,
    )


@provider_api.get(
    "/actions/{action_id}/attachments/{attachment_id}",
    response_class=Response,
    summary="A file of an action's thread",
)
async def download(
    action_id: uuid.UUID, attachment_id: uuid.UUID, caller: CurrentCaller, work: WorkDep, files: FilesDep
) -> Response:
    require_provider(caller.principal)
    attachment, data = await thread_reads.download(
        caller, work, files, action_id=action_id, attachment_id=attachment_id
    )
    return download_response(attachment, data)


@provider_api.get(
    "/action-types",
    response_model=list[TypeOut],
    responses=PAGED,
    summary="The council's action types (New Action's Type)",
)
async def action_types(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[TypeOut]:
    return page.cut(
        [
            TypeOut.model_validate(t.model_dump())
            for t in await configuration.list_types(caller, work, active_only=True)
        ]
    )


@provider_api.get(
    "/teams",
    response_model=list[TeamOut],
    responses=PAGED,
    summary="The council's teams (New Action's Assign To)",
)
async def teams(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[TeamOut]:
    return page.cut(
        [
            TeamOut.model_validate(t.model_dump())
            for t in await configuration.list_teams(caller, work, active_only=True)
        ]
    )


@provider_api.get(
    "/related",
    response_model=list[RelatedOption],
    responses=PAGED,
    summary="What a new action may be related to besides the provider: my services and clients",
)
async def related_options(caller: CurrentCaller, work: WorkDep, page: PageDep) -> list[RelatedOption]:
    require_provider(caller.principal)
    rows = await thread_reads.related_options(caller, work)
    return [RelatedOption.model_validate(r.model_dump()) for r in page.cut(rows)]
