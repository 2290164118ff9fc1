"""A council team's Actions inbox, 100,000 actions across 2,000 providers (issue 15):
`make bench-actions-list`.

In one run, on an isolated database and vhost (tests/support/environment, removed at the end), with
identity's and messaging's APIs and the gateway as real processes (tests/support/stack, no workers):
Durham's seeds' teams and action types (the council API's defaults), 2,000 provider organisations in
messaging's organisation projection, and, written set-based (INSERT ... SELECT over generate_series),
100,000 actions assigned to one team (Childrens Services Finance) plus 20,000 for the other teams, spread
over three years with their posts (1 to 4 each), due dates from their types' response times, and the mix
an inbox has after years of use: the last two months' actions open, older ones closed but for one in
23 left open (overdue), one open action in seven waiting on a closure request. One provider (Durham's
organisation A, with a logged-in Full Access user) holds one action in twenty; the others about 57 each.

Then, interleaved in rounds so that the machine's noise falls on all alike, sequential GETs (one at a
time, as people open pages) of:
- floor:   the team inbox's query, exactly as messaging sends it (captured from its store), as plain SQL
           through asyncpg: the first page of the team's open actions (what nothing above it can beat);
- service: the council API's team inbox (`GET /council/v1/messaging/actions?team_id=...&open_only=true`)
           on messaging alone, with the council system's token;
- ours:    the same call through the gateway's API route (the token verified, the call proxied): the
           gateway has no council page, so this is what a council system or screen reads;
- page:    the provider's Actions and Change Requests page through the gateway with the browser's
           session cookie (session, who-am-I, the teams and the first page of 25 open actions from
           messaging, the page rendered), for the provider with the most actions;
- naive:   every action of the team read (with the same joins) and the open ones filtered, sorted and
           cut to a page in Python;
- no-partial-index: the floor's query with `action_open_by_team` dropped in a transaction that is then
           rolled back: what the partial index buys.
The report shows the plans (EXPLAIN (ANALYZE, BUFFERS)) of the inbox's and the provider list's queries
and the indexes of messaging.action. Goal: ours and the page under 150 ms at the 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx

from bench.actions_seed import TEAM, seed
from bench.common import Call, interleaved, latency_table, machine, p95_goal, run_main
from messaging.domain import defaults
from messaging.main import DEFINITION as MESSAGING
from messaging.store import actions
from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.migrations import migrate
from shared.service.migrate import service_migrations
from tests.messaging.support import messaging_conn
from tests.support.actions_pages import actions_provider
from tests.support.environment import ADMIN_DSN, RunEnvironment, new_run_id
from tests.support.identity import Journey
from tests.support.stack import Stack

GOAL_P95_MS = 150.0
API_PAGE = 50  # the API's default page
SCENARIOS = ("floor", "service", "ours", "page", "naive", "no-partial-index")
SLOW = {"naive", "no-partial-index"}
PARTIAL_INDEX = "action_open_by_team"

# The naive inbox: every action of the team, with the list's joins; the rest is done in Python.
NAIVE = f"SELECT {actions.SELECTED} {actions.FROM} WHERE a.team_id = $1 AND a.authority_id = $2"


class Captured:
    """Stands for the connection of a store function to capture the SQL and parameters it sends."""

    def __init__(self) -> None:
        self.query = ""
        self.args: tuple[Any, ...] = ()

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        self.query, self.args = query, args
        return []


async def list_query(principal: Principal, filters: actions.Filters, limit: int) -> Captured:
    """The list's SQL and parameters exactly as messaging's store sends them for this caller."""
    captured = Captured()
    await actions.list_page(
        cast(asyncpg.Connection, captured),
        scope=actions.action_scope(principal),
        filters=filters,
        limit=limit,
        offset=0,
    )
    return captured


def council_principal(authority_id: uuid.UUID) -> Principal:
    return Principal(
        subject="bench-council",
        kind=PrincipalKind.council_client,
        authority_id=authority_id,
        organisation_id=None,
        role=Role.council,
        can_edit=True,
        scope_type=ScopeType.authority,
        scope_id=None,
    )


def provider_principal(authority_id: uuid.UUID, organisation_id: uuid.UUID) -> Principal:
    return Principal(
        subject="bench-provider",
        kind=PrincipalKind.user,
        authority_id=authority_id,
        organisation_id=organisation_id,
        role=Role.full,
        can_edit=True,
        scope_type=ScopeType.organisation,
        scope_id=organisation_id,
    )


@asynccontextmanager
async def without_index(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """The team inbox's partial index gone, within a transaction rolled back at the end."""
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute(f"DROP INDEX messaging.{PARTIAL_INDEX}")
        yield
    finally:
        await tx.rollback()


def size_of(rows: list[asyncpg.Record]) -> int:
    """Roughly what the rows weigh as text: the bytes column of the floor's and naive's rows."""
    return sum(len(str(tuple(r))) for r in rows)


async def explain(conn: asyncpg.Connection, captured: Captured) -> list[str]:
    rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + captured.query, *captured.args)
    return [str(r[0]) for r in rows]


async def plans_of(
    conn: asyncpg.Connection, inbox: Captured, provider_list: Captured
) -> tuple[dict[str, list[str]], list[str]]:
    """The plans of the inbox's and the provider list's queries (and the inbox's without its partial
    index), and the indexes of messaging.action."""
    plans = {
        "the team inbox (first page of open actions)": await explain(conn, inbox),
        "the provider's list (first page of open actions)": await explain(conn, provider_list),
    }
    async with without_index(conn):
        plans[f"the team inbox without {PARTIAL_INDEX}"] = await explain(conn, inbox)
    indexes = await conn.fetch(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'messaging' AND tablename = 'action' ORDER BY indexname"
    )
    return plans, [str(r["indexdef"]) for r in indexes]


def database_calls(
    conn: asyncpg.Connection, inbox: Captured, *, team_id: uuid.UUID, authority_id: uuid.UUID
) -> dict[str, Call]:
    """The floor (the inbox's query as messaging sends it), the naive inbox and the query without its
    partial index, on one connection."""

    async def floor() -> int:
        rows = await conn.fetch(inbox.query, *inbox.args)
        assert len(rows) == API_PAGE + 1, len(rows)
        return size_of(rows)

    async def naive_page() -> list[asyncpg.Record]:
        rows = await conn.fetch(NAIVE, team_id, authority_id)
        wanted = sorted((r for r in rows if r["status"] != "closed"), key=lambda r: r["action_id"])
        wanted.sort(key=lambda r: r["last_post_at"], reverse=True)  # stable: the id breaks ties
        return wanted[: API_PAGE + 1]

    async def naive() -> int:
        page = await naive_page()
        assert len(page) == API_PAGE + 1, len(page)
        return size_of(page)

    async def without_partial_index() -> int:
        async with without_index(conn):
            rows = await conn.fetch(inbox.query, *inbox.args)
        return size_of(rows)

    return {"floor": floor, "naive": naive, "no-partial-index": without_partial_index}


def report(
    title: str,
    times: dict[str, list[float]],
    sizes: dict[str, int],
    plans: dict[str, list[str]],
    indexes: list[str],
    inbox: Captured,
) -> str:
    lines = [title, "", *latency_table(times, sizes), ""]
    for name in ("ours", "page"):
        if name in times:
            lines.append(p95_goal(times, name, GOAL_P95_MS, f"{name}'s"))
    lines += ["", "Indexes of messaging.action:", ""]
    lines += [f"    {index}" for index in indexes]
    for title_, plan in plans.items():
        lines += ["", f"EXPLAIN (ANALYZE, BUFFERS), {title_}:", ""]
        lines += [f"    {line}" for line in plan]
    lines += ["", "The inbox's query as sent:", "", f"    {' '.join(inbox.query.split())}"]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> str:
    env = RunEnvironment(run_id=new_run_id())
    await env.create()
    stack = Stack(
        env=env,
        log_dir=Path(tempfile.mkdtemp(prefix="bench-actions-list-")),
        apis=("identity", "messaging"),
        workers=False,
        settings={
            "GATEWAY_LOG_LEVEL": "WARNING",
            "MESSAGING_LOG_LEVEL": "WARNING",
            "IDENTITY_LOG_LEVEL": "WARNING",
        },
    )
    try:
        about = await machine()
        await stack.start()
        provider = await actions_provider(stack)  # Durham, its organisation A, the seeds' teams and types
        authority_id = provider.tenant.authority_id
        team_id = uuid.UUID(provider.teams[TEAM])
        async with messaging_conn(env) as conn:
            seeded = await seed(conn, authority_id=authority_id, team_id=team_id, provider=provider.messaging)
        inbox_filters = actions.Filters(open_only=True, team_id=team_id)
        inbox = await list_query(council_principal(authority_id), inbox_filters, API_PAGE + 1)
        provider_list = await list_query(
            provider_principal(authority_id, provider.messaging.organisation_id), actions.Filters(), 26
        )
        # A council system's token (env.council_token's), lasting the whole run.
        token = env.token(
            authority_id=authority_id, role=Role.council, kind=PrincipalKind.council_client, ttl_seconds=3600
        )
        council = {"authorization": f"Bearer {token}"}
        inbox_path = "/council/v1/messaging/actions"
        inbox_params = {"team_id": str(team_id), "open_only": "true"}
        async with httpx.AsyncClient(base_url=stack.service_url("identity"), timeout=30) as identity:
            session_id = await Journey(identity, env).login(provider.tenant, provider.user.email)
        async with (
            messaging_conn(env) as conn,
            httpx.AsyncClient(
                base_url=stack.service_url("messaging"), timeout=60, headers=council
            ) as service,
            httpx.AsyncClient(base_url=stack.url, timeout=60, headers=council) as gateway,
            httpx.AsyncClient(
                base_url=stack.url, timeout=60, cookies={"portal_session": session_id}
            ) as browser,
        ):
            plans, indexes = await plans_of(conn, inbox, provider_list)
            calls = database_calls(conn, inbox, team_id=team_id, authority_id=authority_id)

            async def over_http(client: httpx.AsyncClient) -> int:
                answer = await client.get(inbox_path, params=inbox_params)
                assert answer.status_code == 200 and len(answer.json()) == API_PAGE, answer.text[:300]
                return len(answer.content)

            async def from_service() -> int:
                return await over_http(service)

            async def ours() -> int:
                return await over_http(gateway)

            async def page() -> int:
                answer = await browser.get(f"/{provider.tenant.slug}/actions")
                assert answer.status_code == 200 and 'id="actions"' in answer.text, answer.text[:500]
                return len(answer.content)

            calls |= {"service": from_service, "ours": ours, "page": page}
            chosen = {name: calls[name] for name in SCENARIOS if name in args.scenarios}
            times, sizes = await interleaved(chosen, rounds=args.rounds, requests=args.requests, slow=SLOW)
        return report(
            f"A council team's Actions inbox: {seeded}; sequential GETs; {about}",
            times,
            sizes,
            plans,
            indexes,
            inbox,
        )
    finally:
        stack.stop()
        await env.destroy()


DATABASE_SCENARIOS = ("floor", "naive", "no-partial-index")


async def database_only(args: argparse.Namespace) -> str:
    """The database's part alone (`--database-only`: no broker, no processes): messaging's schema in a
    database of its own, the seeds' teams and types written as the council API's defaults would, the
    same seeding, plans and the floor, naive and no-partial-index scenarios. For when the stack cannot
    start (the broker down), and to read the query's plans quickly."""
    env = RunEnvironment(run_id=new_run_id())
    databases = [d for d in env.service_databases() if d.schema == "messaging"]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    await db.bootstrap(ADMIN_DSN, databases)
    try:
        async with messaging_conn(env) as conn:
            await migrate(conn, schema="messaging", migrations=service_migrations(MESSAGING))
            authority_id, provider_id = uuid.uuid4(), uuid.uuid4()
            teams = {name: uuid.uuid4() for name in defaults.TEAMS}
            await conn.executemany(
                "INSERT INTO messaging.team (team_id, authority_id, name) VALUES ($1, $2, $3)",
                [(team, authority_id, name) for name, team in teams.items()],
            )
            await conn.executemany(
                "INSERT INTO messaging.action_type (type_id, authority_id, name, default_team_id, response_days,"
                " purpose) VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    (uuid.uuid4(), authority_id, t.name, teams[t.team], t.response_days, t.purpose)
                    for t in defaults.TYPES
                ],
            )
            await conn.execute(
                "INSERT INTO messaging.organisation (organisation_id, authority_id, name, reference, active,"
                " revision, updated_at) VALUES ($1, $2, 'Sausage Sandwich', 'P00000', true, 1, now())",
                provider_id,
                authority_id,
            )
            provider = argparse.Namespace(organisation_id=provider_id, organisation_name="Sausage Sandwich")
            seeded = await seed(conn, authority_id=authority_id, team_id=teams[TEAM], provider=provider)
            inbox = await list_query(
                council_principal(authority_id),
                actions.Filters(open_only=True, team_id=teams[TEAM]),
                API_PAGE + 1,
            )
            provider_list = await list_query(
                provider_principal(authority_id, provider_id), actions.Filters(), 26
            )
            plans, indexes = await plans_of(conn, inbox, provider_list)
            calls = database_calls(conn, inbox, team_id=teams[TEAM], authority_id=authority_id)
            chosen = {name: calls[name] for name in DATABASE_SCENARIOS if name in args.scenarios}
            times, sizes = await interleaved(chosen, rounds=args.rounds, requests=args.requests, slow=SLOW)
    finally:
        await db.drop_everything(ADMIN_DSN, databases)
    about = f"{os.cpu_count()} cores, Python {platform.python_version()}; load average before the run: {load}"
    return report(
        f"A council team's Actions inbox, database only: {seeded}; {about}",
        times,
        sizes,
        plans,
        indexes,
        inbox,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each scenario, interleaved")
    parser.add_argument(
        "--requests", type=int, default=100, help="GETs per scenario per round (a tenth for the slow ones)"
    )
    parser.add_argument(
        "--scenarios", type=lambda s: s.split(","), default=list(SCENARIOS), help=",".join(SCENARIOS)
    )
    parser.add_argument(
        "--database-only",
        action="store_true",
        help="only the database's part (floor, naive, no-partial-index, plans): no broker, no processes",
    )
    args = parser.parse_args(argv)
    run_main(database_only if args.database_only else run, args)


if __name__ == "__main__":
    main()
