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

from bench.common import Call, interleaved, latency_table, machine, percentile, run_main
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

PROVIDERS = 2_000
TEAM_ACTIONS = 100_000
OTHER_ACTIONS = 20_000  # one action in six goes to another team
YEARS_DAYS = 3 * 365
OPEN_DAYS = 60  # the last two months' actions are still open
TEAM = "Childrens Services Finance"
GOAL_P95_MS = 150.0
API_PAGE = 50  # the API's default page
SCENARIOS = ("floor", "service", "ours", "page", "naive", "no-partial-index")
SLOW = {"naive", "no-partial-index"}
PARTIAL_INDEX = "action_open_by_team"

# The seeded organisations: n = 0 is the logged-in provider (in the projection already), 1..1999 new;
# the authority's types and the other teams numbered from 0 (temporary tables of the seeding transaction).
SCRATCH = """
CREATE TEMP TABLE bench_org (n int PRIMARY KEY, organisation_id uuid NOT NULL, name text NOT NULL) ON COMMIT DROP;
CREATE TEMP TABLE bench_type (k int PRIMARY KEY, type_id uuid NOT NULL, response_days int) ON COMMIT DROP;
CREATE TEMP TABLE bench_team (k int PRIMARY KEY, team_id uuid NOT NULL) ON COMMIT DROP;
"""
ORGANISATIONS = """
INSERT INTO bench_org
SELECT 0, $1::uuid, $2::text
UNION ALL
SELECT n, gen_random_uuid(), 'Provider ' || lpad(n::text, 4, '0') FROM generate_series(1, $3::int - 1) n
"""
PROJECTION = """
INSERT INTO messaging.organisation (organisation_id, authority_id, name, reference, active, revision, updated_at)
SELECT organisation_id, $1, name, 'P' || lpad(n::text, 5, '0'), true, 1, now() FROM bench_org WHERE n > 0
"""
TYPES = """
INSERT INTO bench_type
SELECT row_number() OVER (ORDER BY name) - 1, type_id, response_days
  FROM messaging.action_type WHERE authority_id = $1
"""
OTHER_TEAMS = """
INSERT INTO bench_team
SELECT row_number() OVER (ORDER BY name) - 1, team_id
  FROM messaging.team WHERE authority_id = $1 AND team_id <> $2
"""
# Action i of $3 (the newest last): one in six to another team, one in twenty to provider 0, its age
# spread over the years, 1 to 4 posts a day apart, open when recent (or one old one in 23: 23 is prime
# to the providers' 20, so provider 0 gets the same mix).
ACTIONS = """
INSERT INTO messaging.action (action_id, authority_id, organisation_id, type_id, related_kind, related_id,
                              related_label, team_id, assigned_to, title, status, closed_reason, closed_at,
                              closed_by, due_date, last_post_at, origin, created_at, created_by, updated_at)
SELECT gen_random_uuid(), $1, o.organisation_id, y.type_id, 'provider', o.organisation_id, o.name,
       CASE WHEN i % 6 = 0 THEN t.team_id ELSE $2::uuid END,
       CASE WHEN i % 3 = 0 THEN 'provider' ELSE 'council' END,
       'Query ' || i || ' about a payment',
       s.status,
       CASE WHEN s.status = 'closed' THEN 'Resolved' END,
       CASE WHEN s.status = 'closed' THEN w.last END,
       CASE WHEN s.status = 'closed' THEN 'bench' END,
       w.created::date + y.response_days,
       w.last, 'provider', w.created, 'bench', w.last
  FROM generate_series(1, $3::int) i
 CROSS JOIN LATERAL (
       SELECT ($3::int - i)::float8 * $4::int / $3::int AS age, 1 + i % 4 AS posts) a
 CROSS JOIN LATERAL (
       SELECT now() - make_interval(secs => a.age * 86400) - make_interval(days => a.posts) AS created) c
 CROSS JOIN LATERAL (
       SELECT c.created, c.created + make_interval(days => a.posts - 1) AS last) w
 CROSS JOIN LATERAL (
       SELECT CASE WHEN a.age >= $5::int AND i % 23 <> 0 THEN 'closed'
                   WHEN i % 7 = 0 THEN 'closure_requested'
                   ELSE 'open' END AS status) s
  JOIN bench_org o ON o.n = CASE WHEN i % 20 = 0 THEN 0 ELSE 1 + (i * 7919) % ($6::int - 1) END
  JOIN bench_type y ON y.k = i % (SELECT count(*) FROM bench_type)
  JOIN bench_team t ON t.k = i % (SELECT count(*) FROM bench_team)
"""
# Each seeded action's posts, a day apart: opened by the provider, answered in turn, the last one its
# closure (or the closure request) where it has one.
POSTS = """
INSERT INTO messaging.post (post_id, action_id, authority_id, organisation_id, kind, author_side, author,
                            author_label, text, assigned_after, team_after, created_at)
SELECT gen_random_uuid(), a.action_id, a.authority_id, a.organisation_id, k.kind,
       CASE WHEN k.kind = 'closed' THEN 'council' WHEN k.kind = 'closure_request' THEN 'provider'
            WHEN p % 2 = 1 THEN 'provider' ELSE 'council' END,
       'bench', CASE WHEN p % 2 = 1 THEN a.related_label ELSE t.name END,
       'Message ' || p || ' of the thread about ' || a.title,
       CASE WHEN p % 2 = 1 THEN 'council' ELSE 'provider' END, a.team_id,
       a.created_at + make_interval(days => p - 1)
  FROM messaging.action a
  JOIN messaging.team t ON t.team_id = a.team_id
 CROSS JOIN LATERAL generate_series(
       1, 1 + round(extract(epoch FROM a.last_post_at - a.created_at) / 86400)::int) p
 CROSS JOIN LATERAL (
       SELECT CASE WHEN p = 1 THEN 'opened'
                   WHEN p = 1 + round(extract(epoch FROM a.last_post_at - a.created_at) / 86400)::int
                        AND a.status = 'closed' THEN 'closed'
                   WHEN p = 1 + round(extract(epoch FROM a.last_post_at - a.created_at) / 86400)::int
                        AND a.status = 'closure_requested' THEN 'closure_request'
                   ELSE 'reply' END AS kind) k
 WHERE a.authority_id = $1 AND a.created_by = 'bench'
"""


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


async def seed(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, team_id: uuid.UUID, provider: Any
) -> str:
    """The organisations, actions and posts, set-based; what was written, in a line."""
    async with conn.transaction():
        await conn.execute(SCRATCH)
        await conn.execute(ORGANISATIONS, provider.organisation_id, provider.organisation_name, PROVIDERS)
        await conn.execute(PROJECTION, authority_id)
        await conn.execute(TYPES, authority_id)
        await conn.execute(OTHER_TEAMS, authority_id, team_id)
        await conn.execute(
            ACTIONS, authority_id, team_id, TEAM_ACTIONS + OTHER_ACTIONS, YEARS_DAYS, OPEN_DAYS, PROVIDERS
        )
        await conn.execute(POSTS, authority_id)
    for table in ("organisation", "action", "post"):
        await conn.execute(f"ANALYZE messaging.{table}")
    counts = await conn.fetchrow(
        """
        SELECT count(*) FILTER (WHERE team_id = $2) AS team,
               count(*) FILTER (WHERE team_id = $2 AND status <> 'closed') AS team_open,
               count(*) FILTER (WHERE team_id = $2 AND status <> 'closed' AND due_date < current_date)
                   AS team_overdue,
               count(*) AS actions,
               count(DISTINCT organisation_id) AS providers,
               count(*) FILTER (WHERE organisation_id = $3) AS provider_actions,
               count(*) FILTER (WHERE organisation_id = $3 AND status <> 'closed') AS provider_open,
               (SELECT count(*) FROM messaging.post WHERE authority_id = $1) AS posts
          FROM messaging.action WHERE authority_id = $1
        """,
        authority_id,
        team_id,
        provider.organisation_id,
    )
    assert counts["team"] == TEAM_ACTIONS and counts["actions"] == TEAM_ACTIONS + OTHER_ACTIONS, dict(counts)
    assert counts["providers"] == PROVIDERS, dict(counts)
    return (
        f"{counts['actions']:,} actions ({counts['team']:,} of the team, {counts['team_open']:,} of them open,"
        f" {counts['team_overdue']:,} overdue) across {counts['providers']:,} providers, {counts['posts']:,}"
        f" posts; the page's provider: {counts['provider_actions']:,} actions, {counts['provider_open']:,} open"
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
            p95 = percentile(times[name], 95)
            verdict = "met" if p95 < GOAL_P95_MS else "NOT met"
            lines.append(f"Goal: {name}'s p95 under {GOAL_P95_MS:.0f} ms: {verdict} ({p95:.1f} ms).")
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
