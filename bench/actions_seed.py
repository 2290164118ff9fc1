"""The seeding of `make bench-actions-list` (bench/actions_list.py): 2,000 providers in messaging's
organisation projection, 120,000 actions and their posts, written set-based (INSERT ... SELECT over
generate_series) in one transaction, as an inbox looks after years of use."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

PROVIDERS = 2_000
TEAM_ACTIONS = 100_000
OTHER_ACTIONS = 20_000  # one action in six goes to another team
YEARS_DAYS = 3 * 365
OPEN_DAYS = 60  # the last two months' actions are still open
TEAM = "Childrens Services Finance"

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
