"""Reading actions and their threads, for both sides (provider API and council API): the list, one
thread with its posts and files, a file's download, the home card's counts, New Action's Related To
choices. Each within the caller's scope, for any role that may see actions (`require_viewer`). The
changes are in `messaging.handlers.threads`."""

from __future__ import annotations

import uuid

import asyncpg

from messaging.domain import rules
from messaging.domain.clock import Clock
from messaging.handlers.access import find_action, require_viewer
from messaging.handlers.attachments import ActionFiles
from messaging.handlers.views import ActionSummary, Summary, Thread, summary, thread
from messaging.store import actions, related
from messaging.store.records import ActionRow
from shared.attachments import Attachment
from shared.auth import Principal
from shared.uow import Caller, Work


async def list_actions(
    caller: Caller, work: Work, clock: Clock, *, filters: actions.Filters, limit: int, offset: int
) -> list[ActionSummary]:
    principal = caller.principal
    require_viewer(principal)
    today = clock.today()
    async with work.read() as conn:
        rows = await actions.list_page(
            conn, scope=actions.action_scope(principal), filters=filters, limit=limit, offset=offset
        )
    return [summary(r, today) for r in rows]


async def home_summary(caller: Caller, work: Work, clock: Clock) -> Summary:
    """The home card's count of open actions and its light (the worst of them)."""
    principal = caller.principal
    require_viewer(principal)
    today = clock.today()
    async with work.read() as conn:
        counts = await actions.counts(conn, scope=actions.action_scope(principal), today=today)
    light = rules.Light.red if counts.overdue else rules.Light.amber if counts.open else rules.Light.green
    return Summary(open=counts.open, overdue=counts.overdue, light=light.value)


async def read_thread(
    caller: Caller, work: Work, clock: Clock, files: ActionFiles, *, action_id: uuid.UUID
) -> Thread:
    principal = caller.principal
    require_viewer(principal)
    async with work.read() as conn:
        action = await find_action(conn, principal, action_id)
        return await thread_view(conn, principal, action, files, clock)


async def thread_view(
    conn: asyncpg.Connection, principal: Principal, action: ActionRow, files: ActionFiles, clock: Clock
) -> Thread:
    posts = await actions.posts(conn, scope=actions.post_scope(principal), action_id=action.action_id)
    return thread(action, posts, await files.of_action(conn, action), clock.today())


async def download(
    caller: Caller, work: Work, files: ActionFiles, *, action_id: uuid.UUID, attachment_id: uuid.UUID
) -> tuple[Attachment, bytes]:
    principal = caller.principal
    require_viewer(principal)
    async with work.read() as conn:
        action = await find_action(conn, principal, action_id)
        return await files.read(conn, action, attachment_id)


async def related_options(caller: Caller, work: Work) -> list[related.Option]:
    """The caller's services and clients, for New Action's Related To."""
    require_viewer(caller.principal)
    async with work.read() as conn:
        return await related.options(conn, principal=caller.principal)
