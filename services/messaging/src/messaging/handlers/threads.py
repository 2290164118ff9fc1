"""Changing actions and their threads, for both sides (provider API and council API): open, comment,
reply, ask for closure (provider), reassign and close (council), attach a file (the reading is in
`messaging.handlers.thread_reads`).

Every change locks the action within the caller's scope, checks the move against the thread's rules
(`messaging.domain.rules.after`), writes the post and the action's new state, and publishes the action's
full state (`messaging.action.upserted.v1`) in the same unit of work: the seam the notifier listens to.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import asyncpg

from messaging.domain import rules
from messaging.domain.clock import UK, Clock
from messaging.domain.requests import CLOSURE, KEPT_OPEN, REQUESTS, ClosureRequest, closure_subject
from messaging.domain.rules import Move, Side
from messaging.handlers import notices
from messaging.handlers.access import (
    find_action,
    require_provider,
    require_writer,
    side_of,
)
from messaging.handlers.attachments import ActionFiles, NewFile
from messaging.handlers.thread_reads import thread_view
from messaging.handlers.views import Thread, thread, upserted
from messaging.store import actions, config, related
from messaging.store.records import ActionRow, PostRow, Related
from shared.attachments import Attachment
from shared.auth import Principal, ScopeType
from shared.errors import Invalid
from shared.events.messaging import Change
from shared.uow import Caller, UnitOfWork, Work

T = TypeVar("T")
PROVIDER_LABEL = "Provider"  # an organisation not (yet) in messaging's projection
CHANGES: dict[Move, Change] = {
    Move.comment: "commented",
    Move.reply: "replied",
    Move.closure_request: "closure_requested",
    Move.close: "closed",
    Move.reassign: "reassigned",
}
POST_KINDS = {
    Move.comment: "comment",
    Move.reply: "reply",
    Move.closure_request: "closure_request",
    Move.close: "closed",
    Move.reassign: "reassigned",
}


# --- opening --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewActionForm:
    type_id: uuid.UUID
    related_kind: Literal["provider", "service", "client"]
    related_id: uuid.UUID | None
    team_id: uuid.UUID | None  # None: the type's default team
    title: str | None
    text: str | None


async def _related(conn: asyncpg.Connection, principal: Principal, form: NewActionForm) -> Related:
    """What the action is about, checked against the projections within the caller's scope."""
    if form.related_kind == "provider":
        if form.related_id is not None and form.related_id != principal.organisation_id:
            raise Invalid.field(
                "related_id", "an action related to the provider is about your own organisation"
            )
        found = await related.organisation(conn, principal=principal)
        if found is None:
            # Its organisation event has not reached messaging yet (a new provider): the token vouches for
            # the organisation, and the lists name it from the projection once it arrives.
            assert principal.organisation_id is not None  # a provider (require_provider)
            found = Related(related_id=principal.organisation_id, label=PROVIDER_LABEL)
        # A contract- or service-scoped person's action about the provider lies in their part of it:
        # they (and the organisation's people) see it; the scope filter keeps organisation-wide rows
        # from them (shared.scoping).
        if principal.scope_type is ScopeType.contract:
            return found.model_copy(update={"contract_id": principal.scope_id})
        if principal.scope_type is ScopeType.service:
            return found.model_copy(
                update={"contract_id": principal.scope_contract_id, "service_id": principal.scope_id}
            )
        return found
    if form.related_id is None:
        raise Invalid.field("related_id", f"choose the {form.related_kind} the action is about")
    if form.related_kind == "service":
        found = await related.service(conn, principal=principal, service_id=form.related_id)
    else:
        found = await related.client(conn, principal=principal, client_id=form.related_id)
    if found is None:
        raise Invalid.field(
            "related_id",
            f"is not one of your {form.related_kind}s",
            code=f"unknown-{form.related_kind}",
        )
    return found


async def open_action(
    caller: Caller,
    work: Work,
    clock: Clock,
    *,
    form: NewActionForm,
    files: ActionFiles | None = None,
    new_files: Sequence[NewFile] = (),
) -> Thread:
    """A provider's New Action: its type and team must be the authority's and active, what it is related
    to must be the caller's, its title and text within their limits. It goes to the council team. Its
    files (`new_files`, checked by `files`) are kept with it, all or nothing: a refused file is listed
    with the form's other faults and no action is made."""
    principal = caller.principal
    require_provider(principal)
    require_writer(principal)
    errors: list[Invalid] = []
    title = _check(errors, lambda: rules.title(form.title))
    text = _check(errors, lambda: rules.post_text(form.text))
    if new_files:
        if files is None:
            raise ValueError("files (ActionFiles) checks and keeps new_files")
        errors += files.refusals(new_files)
    async with work.begin(caller.actor) as uow:
        conn = uow.conn
        kind = await config.action_type(conn, authority_id=principal.authority_id, type_id=form.type_id)
        if kind is None or not kind.active:
            errors.append(
                Invalid.field("type_id", "is not an action type of your council", code="unknown-type")
            )
        team_id = form.team_id or (kind.default_team_id if kind else None)
        team = None
        if team_id is not None:
            team = await config.team(conn, authority_id=principal.authority_id, team_id=team_id)
            if team is None or not team.active:
                errors.append(Invalid.field("team_id", "is not a team of your council", code="unknown-team"))
        about = await _check_async(errors, _related(conn, principal, form))
        _raise_any(errors)
        assert kind is not None and team is not None and about is not None and title and text
        now = clock.now()
        action_id = await actions.add(
            conn,
            actions.NewAction(
                authority_id=principal.authority_id,
                organisation_id=principal.organisation_id,
                contract_id=about.contract_id,
                service_id=about.service_id,
                type_id=kind.type_id,
                related_kind=form.related_kind,
                related_id=about.related_id,
                related_label=about.label,
                team_id=team.team_id,
                assigned_to="council",
                title=title,
                due_date=rules.due_date(now.astimezone(UK).date(), kind.response_days),
                origin="provider",
                created_by=principal.subject,
            ),
            at=now,
        )
        assert action_id is not None  # no source key: never a duplicate
        action = await find_action(conn, principal, action_id, lock=True)
        label = await _author_label(conn, principal, action)
        post = await actions.add_post(
            conn,
            action,
            actions.NewPost("opened", "provider", principal.subject, label, text),
            assigned_after="council",
            team_after=team.team_id,
            at=now,
        )
        await _published(uow, action, post, "opened")
        await uow.audit(
            "action_opened",
            authority_id=action.authority_id,
            organisation_id=action.organisation_id,
            subject_id=action.action_id,
            type=kind.name,
            team=team.name,
        )
        saved = [await _keep_file(uow, files, principal, action, f) for f in new_files] if files else []
        uow.log("action_opened", action_id=str(action_id), files=len(saved))
        return thread(action, [post], saved, clock.today())


def _check(errors: list[Invalid], check: Callable[[], T]) -> T | None:
    try:
        return check()
    except Invalid as refused:
        errors.append(refused)
        return None


async def _check_async(errors: list[Invalid], check: Awaitable[T]) -> T | None:
    try:
        return await check
    except Invalid as refused:
        errors.append(refused)
        return None


def _raise_any(errors: list[Invalid]) -> None:
    """One refusal keeps its own code; several are one 422 naming every field."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        fields = [f for e in errors for f in (e.fields or [])]
        raise Invalid("; ".join(e.detail for e in errors), code="invalid-fields", fields=fields)


async def _author_label(conn: asyncpg.Connection, principal: Principal, action: ActionRow) -> str:
    """How the thread names the writer: the organisation (seed: "Sausage Sandwich"), or the team."""
    if principal.is_council:
        return action.team_name
    found = await related.organisation(conn, principal=principal)
    return found.label if found else PROVIDER_LABEL


async def _published(uow: UnitOfWork, action: ActionRow, post: PostRow, change: Change) -> None:
    """The action's new state published, and the mails it causes queued, in the change's transaction."""
    await uow.publish(
        upserted(action, post, change), aggregate_id=action.action_id, authority_id=action.authority_id
    )
    await notices.action_changed(uow.conn, action, post, change)


# --- the thread's moves -------------------------------------------------------------------------


async def post(
    caller: Caller,
    work: Work,
    clock: Clock,
    files: ActionFiles,
    *,
    action_id: uuid.UUID,
    move: Move,
    text: str | None,
    team_id: uuid.UUID | None = None,
) -> Thread:
    """A comment, a reply, a closure request, a closure (text: the reason) or a reassignment (text: an
    optional note). Refused with nothing changed when the side, the state or the input does not allow it."""
    principal = caller.principal
    require_writer(principal)
    side: Side = side_of(principal)
    async with work.begin(caller.actor) as uow:
        conn = uow.conn
        action = await find_action(conn, principal, action_id, lock=True)
        status, assigned = rules.after(move, side, action.status, action.assigned_to)  # type: ignore[arg-type]
        if move is Move.close:
            body = rules.closing_reason(text)
        elif move in (Move.reassign, Move.closure_request) and not (text or "").strip():
            # A note is optional on these two: the thread still says what happened.
            body = "" if move is Move.reassign else "Please close this action."
        else:
            body = rules.post_text(text)
        team = action.team_id
        if move is Move.reassign:
            team = await _other_team(conn, principal, action, team_id)
        now = clock.now()
        request_id = action.closure_request_id
        if move is Move.closure_request:
            request = await REQUESTS.submit(
                uow,
                principal,
                CLOSURE,
                ClosureRequest(action_id=action.action_id),
                subject=closure_subject(action.action_id),
                contract_id=action.contract_id,
                service_id=action.service_id,
                action_id=action.action_id,
            )
            request_id = request.request_id
        elif action.status == "closure_requested" and side == "council" and move in (Move.reply, Move.close):
            await _decide_closure(uow, principal, action, approve=move is Move.close)
        label = await _author_label(conn, principal, action)
        written = await actions.add_post(
            conn,
            action,
            actions.NewPost(POST_KINDS[move], side, principal.subject, label, body),
            assigned_after=assigned,
            team_after=team,
            at=now,
        )
        changed = await actions.change(
            conn,
            scope=actions.action_scope(principal),
            action_id=action.action_id,
            to=actions.Change(
                status=status,
                assigned_to=assigned,
                team_id=team,
                last_post_at=now,
                closed_reason=body if move is Move.close else None,
                closed_by=principal.subject if move is Move.close else None,
                closure_request_id=request_id if status != "open" else None,
            ),
        )
        await _published(uow, changed, written, CHANGES[move])
        await uow.audit(
            f"action_{CHANGES[move]}",
            authority_id=changed.authority_id,
            organisation_id=changed.organisation_id,
            subject_id=changed.action_id,
            status=changed.status,
            assigned_to=changed.assigned_to,
            team=changed.team_name,
        )
        uow.log(f"action_{CHANGES[move]}", action_id=str(action_id), status=changed.status)
        return await thread_view(conn, principal, changed, files, clock)


async def _other_team(
    conn: asyncpg.Connection, principal: Principal, action: ActionRow, team_id: uuid.UUID | None
) -> uuid.UUID:
    if team_id is None:
        raise Invalid.field("team_id", "choose the team to move the action to")
    team = await config.team(conn, authority_id=principal.authority_id, team_id=team_id)
    if team is None or not team.active:
        raise Invalid.field("team_id", "is not a team of your council", code="unknown-team")
    if team.team_id == action.team_id:
        raise Invalid.field("team_id", f"the action is already with {team.name}", code="same-team")
    return team.team_id


async def _decide_closure(uow: UnitOfWork, principal: Principal, action: ActionRow, *, approve: bool) -> None:
    """The provider's pending closure request: approved by the closure, rejected by a reply."""
    if action.closure_request_id is None:
        return
    request = await REQUESTS.pending(uow, principal, [CLOSURE], request_id=action.closure_request_id)
    if approve:
        await REQUESTS.approve(uow, principal, request, action_id=action.action_id)
    else:
        await REQUESTS.reject(uow, principal, request, reason=KEPT_OPEN, action_id=action.action_id)


async def attach(
    caller: Caller,
    work: Work,
    clock: Clock,
    files: ActionFiles,
    *,
    action_id: uuid.UUID,
    new_file: NewFile,
) -> Thread:
    """A file added to an open action's thread (either side); the action keeps its turn."""
    principal = caller.principal
    require_writer(principal)
    async with work.begin(caller.actor) as uow:
        action = await find_action(uow.conn, principal, action_id, lock=True)
        rules.after(Move.attach, side_of(principal), action.status, action.assigned_to)  # type: ignore[arg-type]
        await _keep_file(uow, files, principal, action, new_file)
        return await thread_view(uow.conn, principal, action, files, clock)


async def _keep_file(
    uow: UnitOfWork, files: ActionFiles, principal: Principal, action: ActionRow, new_file: NewFile
) -> Attachment:
    """A file kept on the action and audited, in the caller's unit of work (New Action's or Add file's)."""
    saved = await files.save(
        uow.conn,
        principal,
        action,
        filename=new_file.filename,
        declared_type=new_file.declared_type,
        data=new_file.data,
    )
    await uow.audit(
        "action_file_attached",
        authority_id=action.authority_id,
        organisation_id=action.organisation_id,
        subject_id=action.action_id,
        attachment=saved.attachment_id,
        size=saved.size_bytes,
    )
    return saved
