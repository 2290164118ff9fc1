"""The demo's actions and change requests (issue 15; docs/demo.md "Actions"): each demo council gets the
seeds' teams and action types, and a thread or two:

- Durham: Sausage Sandwich, the foster carer, asks Childrens Services Finance about its next payment
  (seed 004 section 4) and the team answers (the action is back with the carer); Dawn Stockton's
  supported lodgings query has waited past its due date (red).
- Telford & Wrekin: Purple Care Ltd asks Brokerage for a CPLI review of one of its clients (seed 003).
- Worcestershire (adults and children): a provider's message to Brokerage, open.

Made through messaging's own handlers (the council's defaults as the council API applies them, the
actions as the provider's pages and the council's staff would), after identity's directory and
actuals' clients and CPLIs are applied to messaging's projections (as `seed_claims` does: the events
arrive later and change nothing). The overdue query is opened on a clock set 20 days back. Once: an
organisation that has raised an action already gets no more.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from actuals.republishing import CLIENTS, CPLIS
from devtools.demo_actuals import apply_current_states, council_system
from identity.republishing import AUTHORITIES, ORGANISATIONS, PROVIDER_SERVICES
from messaging.config import Settings as MessagingSettings
from messaging.consumers import authorities, clients, organisations, placements, services
from messaging.domain.clock import Clock, FixedClock
from messaging.domain.rules import Move
from messaging.handlers import configuration, threads
from messaging.handlers.attachments import ActionFiles
from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus import Outbox
from shared.logging import get_logger
from shared.settings import ServiceSettings
from shared.uow import Actor, Caller, Work

log = get_logger(__name__)


@dataclass(frozen=True)
class DemoThread:
    authority: str  # slug
    provider: str  # the organisation's reference in the council's directory
    type_name: str
    related: str  # "provider" or "client" (the provider's first client by name)
    title: str
    text: str
    answer: str | None = None  # the council team's reply
    days_ago: int = 0


THREADS = (
    DemoThread(
        "durham-childrens",
        "148",
        "Provider Query",
        "provider",
        "Query about my payments",
        "Please can you tell me when I'll get paid for the mileage I submitted?",
        answer="Your mileage claim was accepted: it is paid with your next scheduled payment.",
        days_ago=2,
    ),
    DemoThread(
        "durham-childrens",
        "162",
        "Supported Lodgings Provider Query",
        "provider",
        "Dawn Stockton Query about my next payment",
        "My young person moved in on the 3rd: will the first week be in my next payment?",
        days_ago=20,  # past its 10 days: overdue
    ),
    DemoThread(
        "telford-wrekin",
        "P100201",
        "CPLI Review",
        "client",
        "Review of care package",
        "The client now needs a second carer at the morning call: please review the package.",
    ),
    DemoThread(
        "worcestershire-adults",
        "A2010",
        "Brokerage Message",
        "provider",
        "Room availability",
        "We have two single rooms available from next week.",
    ),
    DemoThread(
        "worcestershire-childrens",
        "C3001",
        "Foster Carer Query",
        "provider",
        "Respite weekend",
        "Can the council arrange a respite weekend for our carers next month?",
    ),
)


def provider_person(authority: uuid.UUID, organisation: uuid.UUID) -> Caller:
    principal = Principal(
        subject="demo-seed-provider",
        kind=PrincipalKind.user,
        authority_id=authority,
        organisation_id=organisation,
        role=Role.full,
        can_edit=True,
        scope_type=ScopeType.organisation,
        scope_id=organisation,
    )
    return Caller(principal=principal, actor=Actor.system("demo-seed", correlation_id="demo-seed"))


async def project_states(
    identity: asyncpg.Connection, actuals: asyncpg.Connection, target: asyncpg.Connection
) -> int:
    applied = await apply_current_states(
        identity,
        target,
        (
            (authorities, AUTHORITIES),
            (organisations.projection, ORGANISATIONS),
            (services, PROVIDER_SERVICES),
        ),
    )
    return applied + await apply_current_states(actuals, target, ((clients, CLIENTS), (placements, CPLIS)))


async def seed_messaging(
    settings: Mapping[str, ServiceSettings], *, authorities: Mapping[str, uuid.UUID]
) -> None:
    messaging_settings = settings["messaging"]
    assert isinstance(messaging_settings, MessagingSettings)
    identity = await db.connect(settings["identity"].dsn)
    actuals = await db.connect(settings["actuals"].dsn)
    pool = await db.create_pool(messaging_settings.dsn)
    work = Work(pool, Outbox("messaging"))
    files = ActionFiles(messaging_settings)
    made = 0
    try:
        async with pool.acquire() as conn:
            projected = await project_states(identity, actuals, conn)
        for slug, authority in authorities.items():
            await configuration.apply_defaults(council_system(authority), work)
            await _mailboxes(work, slug, authority)
        for demo in THREADS:
            made += await _thread(identity, pool, work, files, demo, authorities[demo.authority])
        log.info("demo_messaging_seeded", projected=projected, actions=made)
    finally:
        await identity.close()
        await actuals.close()
        await pool.close()


def demo_mailbox(team: str, slug: str) -> str:
    """A team's demo address: never deliverable (.invalid, RFC 2606), caught by `make run`'s mail sink."""
    local = re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-")
    return f"{local}@{slug}.example.invalid"


async def _mailboxes(work: Work, slug: str, authority: uuid.UUID) -> None:
    """Each demo team without a mailbox gets one, so the demo's actions queue their mails; a mailbox set
    already (seeding twice, or by hand) is kept."""
    caller = council_system(authority)
    for team in await configuration.list_teams(caller, work, active_only=False):
        if team.mailbox is None:
            await configuration.change_team(
                caller,
                work,
                team_id=team.team_id,
                name=None,
                active=None,
                mailbox_address=demo_mailbox(team.name, slug),
            )


async def _thread(
    identity: asyncpg.Connection,
    pool: asyncpg.Pool,
    work: Work,
    files: ActionFiles,
    demo: DemoThread,
    authority: uuid.UUID,
) -> int:
    organisation = await identity.fetchval(
        "SELECT organisation_id FROM identity.organisation WHERE authority_id = $1 AND reference = $2",
        authority,
        demo.provider,
    )
    if organisation is None:
        raise RuntimeError(
            f"no organisation {demo.provider} in {demo.authority}'s directory (devtools/seed.py)"
        )
    async with pool.acquire() as conn:
        if await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM messaging.action WHERE organisation_id = $1 AND origin = 'provider')",
            organisation,
        ):
            return 0
        type_id = await conn.fetchval(
            "SELECT type_id FROM messaging.action_type WHERE authority_id = $1 AND name = $2",
            authority,
            demo.type_name,
        )
        client = await conn.fetchval(
            "SELECT c.client_id FROM messaging.placement p JOIN messaging.client c USING (client_id)"
            " WHERE p.organisation_id = $1 ORDER BY c.name, c.client_id LIMIT 1",
            organisation,
        )
    related_kind = "client" if demo.related == "client" and client else "provider"
    clock: Clock = Clock()
    if demo.days_ago:
        clock = FixedClock(datetime.now(UTC) - timedelta(days=demo.days_ago))
    opened = await threads.open_action(
        provider_person(authority, organisation),
        work,
        clock,
        form=threads.NewActionForm(
            type_id=type_id,
            related_kind=related_kind,  # type: ignore[arg-type]
            related_id=client if related_kind == "client" else None,
            team_id=None,
            title=demo.title,
            text=demo.text,
        ),
    )
    if demo.answer:
        await threads.post(
            council_system(authority),
            work,
            clock,
            files,
            action_id=opened.action_id,
            move=Move.reply,
            text=demo.answer,
        )
    return 1
