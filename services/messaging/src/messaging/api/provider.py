"""A provider's Actions and Change Requests (/api/v1/messaging): the list with its filters and status
lights, the home card, New Action, a thread with its Comment, Reply and closure request, its files; and
the council's action types and teams the New Action form offers."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile

from messaging.api.deps import ClockDep, FilesDep
from messaging.api.models import (
    CAP,
    ClosureRequestIn,
    NewActionIn,
    PostIn,
    RelatedOption,
    TeamOut,
    TypeOut,
)
from messaging.domain.rules import TEXT_MAX, TITLE_MAX, Move
from messaging.handlers import configuration, thread_reads, threads
from messaging.handlers.access import require_provider
from messaging.handlers.attachments import NewFile
from messaging.handlers.views import ActionSummary, Summary, Thread
from messaging.store import actions
from shared.attachments import download_response
from shared.errors import Invalid
from shared.form_text import TextFormRoute
from shared.http import CurrentCaller
from shared.paging import PAGED, PageDep
from shared.service import WorkDep

# Its multipart operations take Form() fields: a text field that is not UTF-8 is refused at its field.
provider_api = APIRouter(prefix="/api/v1/messaging", tags=["actions"], route_class=TextFormRoute)
Assigned = Literal["provider", "council"]
RelatedKind = Literal["provider", "service", "client"]
FILES_MAX = 5  # files sent with a New Action; more can be added to its thread after


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


@provider_api.post(
    "/actions/with-attachments",
    response_model=Thread,
    status_code=201,
    summary="New Action with its files (multipart/form-data): all or nothing",
    description=(
        "The fields of `POST /actions`, sent as form fields, and up to five files, each as an `attachment`"
        " part (PDF, image, spreadsheet, document, CSV or text, up to the size limit). Every fault is"
        " listed at once, a refused file by its name; when anything is refused, no action is made."
    ),
)
async def open_action_with_files(
    caller: CurrentCaller,
    work: WorkDep,
    clock: ClockDep,
    files: FilesDep,
    type_id: Annotated[uuid.UUID, Form(description="An action type of your council")],
    related_kind: Annotated[RelatedKind, Form(description="your organisation, a service or a client")],
    related_id: Annotated[uuid.UUID | None, Form(description="the service or client")] = None,
    team_id: Annotated[uuid.UUID | None, Form(description="the type's default team when left out")] = None,
    # Optional here so that a blank one (a form leaves it out) is refused by the rules, in their words
    # ("enter the title"), with every other fault.
    title: Annotated[
        str | None, Form(max_length=TITLE_MAX * CAP, description=f"at most {TITLE_MAX} characters")
    ] = None,
    text: Annotated[
        str | None, Form(max_length=TEXT_MAX * CAP, description=f"at most {TEXT_MAX:,} characters")
    ] = None,
    attachment: Annotated[
        list[UploadFile] | None, File(description="a file; repeat the part for more")
    ] = None,
) -> Thread:
    require_provider(caller.principal)
    chosen = [part for part in attachment or [] if part.filename or part.size]
    if len(chosen) > FILES_MAX:
        raise Invalid.field(
            "attachment",
            f"send at most {FILES_MAX} files with a New Action (add more to its thread after)",
            code="too-many-files",
        )
    # Several files: each refusal names its file (one added to a thread is named by the form it came from).
    new_files = [await _read_within(part, files.max_bytes, named=True) for part in chosen]
    form = threads.NewActionForm(
        type_id=type_id,
        related_kind=related_kind,
        related_id=related_id,
        team_id=team_id,
        title=title,
        text=text,
    )
    return await threads.open_action(caller, work, clock, form=form, files=files, new_files=new_files)


async def _read_within(upload: UploadFile, limit: int, *, named: bool = False) -> NewFile:
    """Read at most one byte over the limit: a larger file is refused without holding all of it."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        name = f"{upload.filename}: " if named and upload.filename else ""
        raise Invalid.field(
            "attachment",
            f"{name}the file is too large: the most accepted is {limit:,} bytes ({limit / 1048576:g} MB)",
            code="attachment-too-large",
        )
    return NewFile(filename=upload.filename or "attachment", declared_type=upload.content_type, data=data)


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
    new_file = await _read_within(upload, files.max_bytes)
    return await threads.attach(caller, work, clock, files, action_id=action_id, new_file=new_file)


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
