"""The council's side of actions (/council/v1/messaging): its configuration (teams, action types with
their default team and response time, the seeds' defaults), a team's inbox, a thread with Comment,
Reply, reassignment to another team and closure with a reason, and the thread's files."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Response, UploadFile

from messaging.api.deps import ClockDep, FilesDep
from messaging.api.models import (
    CloseIn,
    CouncilTeamOut,
    PostIn,
    ReassignIn,
    TeamChange,
    TeamIn,
    TypeChange,
    TypeIn,
    TypeOut,
)
from messaging.api.provider import attach_upload
from messaging.domain.rules import Move
from messaging.handlers import configuration, thread_reads, threads
from messaging.handlers.access import require_council
from messaging.handlers.views import ActionSummary, Thread
from messaging.store import actions
from messaging.store.records import TeamRow, TypeRow
from shared.attachments import download_response
from shared.form_text import TextFormRoute
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

router = APIRouter(prefix="/council/v1/messaging", tags=["council"], route_class=TextFormRoute)


def _team(row: TeamRow) -> CouncilTeamOut:
    return CouncilTeamOut.model_validate(row.model_dump())


def _type(row: TypeRow) -> TypeOut:
    return TypeOut.model_validate(row.model_dump())


# --- configuration --------------------------------------------------------------------------------


@router.get("/teams", response_model=list[CouncilTeamOut], responses=PAGED, summary="The council's teams")
async def list_teams(
    caller: CurrentCaller, work: WorkDep, page: PageDep, active_only: bool = False
) -> list[CouncilTeamOut]:
    require_council(caller.principal)
    return [_team(t) for t in page.cut(await configuration.list_teams(caller, work, active_only=active_only))]


@router.post("/teams", response_model=CouncilTeamOut, status_code=201, summary="Add a team")
async def add_team(body: TeamIn, caller: CurrentCaller, work: WorkDep) -> CouncilTeamOut:
    return _team(await configuration.add_team(caller, work, name=body.name, mailbox_address=body.mailbox))


@router.patch(
    "/teams/{team_id}",
    response_model=CouncilTeamOut,
    summary="Rename a team, (de)activate it, or set its mailbox",
)
async def change_team(
    team_id: uuid.UUID, body: TeamChange, caller: CurrentCaller, work: WorkDep
) -> CouncilTeamOut:
    # An absent mailbox keeps the team's; null (or blank) clears it.
    mailbox = body.mailbox if "mailbox" in body.model_fields_set else configuration.KEEP
    return _team(
        await configuration.change_team(
            caller, work, team_id=team_id, name=body.name, active=body.active, mailbox_address=mailbox
        )
    )


@router.get(
    "/action-types", response_model=list[TypeOut], responses=PAGED, summary="The council's action types"
)
async def list_types(
    caller: CurrentCaller, work: WorkDep, page: PageDep, active_only: bool = False
) -> list[TypeOut]:
    require_council(caller.principal)
    return [_type(t) for t in page.cut(await configuration.list_types(caller, work, active_only=active_only))]


@router.post("/action-types", response_model=TypeOut, status_code=201, summary="Add an action type")
async def add_type(body: TypeIn, caller: CurrentCaller, work: WorkDep) -> TypeOut:
    form = configuration.TypeForm(
        name=body.name, default_team_id=body.default_team_id, response_days=body.response_days
    )
    return _type(await configuration.add_type(caller, work, form=form))


@router.patch(
    "/action-types/{type_id}",
    response_model=TypeOut,
    summary="Change a type's name, default team, response time (for actions opened from now on) or active flag",
)
async def change_type(type_id: uuid.UUID, body: TypeChange, caller: CurrentCaller, work: WorkDep) -> TypeOut:
    form = configuration.TypeForm(
        name=body.name,
        default_team_id=body.default_team_id,
        response_days=body.response_days,
        active=body.active,
        keep_response_days="response_days" not in body.model_fields_set,
    )
    return _type(await configuration.change_type(caller, work, type_id=type_id, form=form))


@router.post(
    "/configuration/defaults",
    response_model=list[TypeOut],
    summary="Add the seeds' teams and action types the council does not have yet (its own stay as they are)",
)
async def apply_defaults(caller: CurrentCaller, work: WorkDep) -> list[TypeOut]:
    return [_type(t) for t in await configuration.apply_defaults(caller, work)]


# --- the inbox and threads ------------------------------------------------------------------------


@router.get(
    "/actions",
    response_model=list[ActionSummary],
    responses=PAGED,
    summary="A team's inbox (or every team's), latest post first, with status lights",
)
async def inbox(
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    page: PageDep,
    team_id: uuid.UUID | None = None,
    open_only: bool = True,
    assigned_to: Literal["provider", "council"] | None = None,
    organisation_id: uuid.UUID | None = None,
) -> list[ActionSummary]:
    require_council(caller.principal)
    filters = actions.Filters(
        open_only=open_only, assigned_to=assigned_to, team_id=team_id, organisation_id=organisation_id
    )
    rows = await thread_reads.list_actions(
        caller, work, clock, filters=filters, limit=page.fetch, offset=page.offset
    )
    return page.of(rows)


@router.get("/actions/{action_id}", response_model=Thread, summary="An action with its thread")
async def read_thread(
    action_id: uuid.UUID, caller: CurrentCaller, work: WorkDep, clock: ClockDep, files: FilesDep
) -> Thread:
    require_council(caller.principal)
    return await thread_reads.read_thread(caller, work, clock, files, action_id=action_id)


async def _move(
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    files: FilesDep,
    action_id: uuid.UUID,
    move: Move,
    text: str | None,
    team_id: uuid.UUID | None = None,
) -> Thread:
    require_council(caller.principal)
    return await threads.post(
        caller, work, clock, files, action_id=action_id, move=move, text=text, team_id=team_id
    )


@router.post(
    "/actions/{action_id}/comments",
    response_model=Thread,
    summary="Comment: add to the conversation without passing it back",
)
async def comment(
    action_id: uuid.UUID, body: PostIn, caller: CurrentCaller, work: WorkDep, clock: ClockDep, files: FilesDep
) -> Thread:
    return await _move(caller, work, clock, files, action_id, Move.comment, body.text)


@router.post(
    "/actions/{action_id}/replies",
    response_model=Thread,
    summary="Reply: pass the action to the provider (a pending closure request is answered: kept open)",
)
async def reply(
    action_id: uuid.UUID, body: PostIn, caller: CurrentCaller, work: WorkDep, clock: ClockDep, files: FilesDep
) -> Thread:
    return await _move(caller, work, clock, files, action_id, Move.reply, body.text)


@router.post(
    "/actions/{action_id}/reassign", response_model=Thread, summary="Move the action to another team"
)
async def reassign(
    action_id: uuid.UUID,
    body: ReassignIn,
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    files: FilesDep,
) -> Thread:
    return await _move(caller, work, clock, files, action_id, Move.reassign, body.text, body.team_id)


@router.post(
    "/actions/{action_id}/close",
    response_model=Thread,
    summary="Close the action with a reason (a pending closure request is approved); it becomes read-only",
)
async def close(
    action_id: uuid.UUID,
    body: CloseIn,
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    files: FilesDep,
) -> Thread:
    return await _move(caller, work, clock, files, action_id, Move.close, body.reason)


@router.post(
    "/actions/{action_id}/attachments", response_model=Thread, summary="Add a file to an open action"
)
async def attach(
    action_id: uuid.UUID,
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    files: FilesDep,
    attachment: Annotated[UploadFile, File(description="the file")],
) -> Thread:
    require_council(caller.principal)
    return await attach_upload(caller, work, clock, files, action_id, attachment)


@router.get(
    "/actions/{action_id}/attachments/{attachment_id}",
    response_class=Response,
    summary="A file of an action's thread",
)
async def download(
    action_id: uuid.UUID, attachment_id: uuid.UUID, caller: CurrentCaller, work: WorkDep, files: FilesDep
) -> Response:
    require_council(caller.principal)
    attachment, data = await thread_reads.download(
        caller, work, files, action_id=action_id, attachment_id=attachment_id
    )
    return download_response(attachment, data)
