"""The demo actions of `make run`: the seeds' configuration in every demo council, Sausage Sandwich's
payment query answered by Childrens Services Finance, Dawn Stockton's overdue query, Purple Care's CPLI
review of one of its clients, a message in each Worcestershire council; seeding twice makes nothing twice."""

from __future__ import annotations

from datetime import date

from actuals.main import DEFINITION as ACTUALS
from devtools import seed
from identity.main import DEFINITION as IDENTITY
from messaging.main import DEFINITION as MESSAGING
from shared import db


async def demo_actions(env) -> list[dict]:
    conn = await db.connect(env.dsn("messaging"))
    try:
        rows = await conn.fetch(
            "SELECT a.authority_id, o.name AS provider, y.name AS type, t.name AS team, a.related_kind, a.title,"
            "       a.assigned_to, a.due_date, (SELECT count(*) FROM messaging.post p WHERE p.action_id = a.action_id) AS posts"
            "  FROM messaging.action a JOIN messaging.action_type y USING (type_id) JOIN messaging.team t"
            "    ON t.team_id = a.team_id JOIN messaging.organisation o ON o.organisation_id = a.organisation_id"
            " WHERE a.created_by = 'demo-seed-provider' ORDER BY o.name"
        )
        return [dict(r) for r in rows]
    finally:
        await conn.close()


async def test_the_demo_actions_seed_once_in_every_demo_council(env):
    settings = {
        "identity": env.settings(IDENTITY, login_limit_per_address=10000),
        "actuals": env.settings(ACTUALS),
        "messaging": env.settings(MESSAGING),
    }
    await seed.seed_demo(settings)
    first = await demo_actions(env)
    await seed.seed_demo(settings)
    assert await demo_actions(env) == first
    # Every demo team has an undeliverable mailbox (.invalid), so the demo's actions queue their mails.
    conn = await db.connect(env.dsn("messaging"))
    try:
        boxes = await conn.fetch(
            "SELECT mailbox FROM messaging.team WHERE authority_id = ANY($1::uuid[])",
            [a.authority_id for a in seed.AUTHORITIES],
        )
        queued = await conn.fetchval(
            "SELECT count(*) FROM messaging.notification WHERE authority_id = ANY($1::uuid[])",
            [a.authority_id for a in seed.AUTHORITIES],
        )
    finally:
        await conn.close()
    assert boxes and all(b["mailbox"] and b["mailbox"].endswith(".example.invalid") for b in boxes)
    assert queued >= 1
    by_provider = {r["provider"]: r for r in first}
    assert {r["authority_id"] for r in first} == {a.authority_id for a in seed.AUTHORITIES}
    carer = by_provider["Sausage Sandwich"]
    assert (carer["type"], carer["team"], carer["assigned_to"], carer["posts"], carer["title"]) == (
        "Provider Query",
        "Childrens Services Finance",
        "provider",  # answered by the team: back with the carer
        2,
        "Query about my payments",
    )
    lodgings = by_provider["Dawn Stockton Supported Lodgings"]
    assert lodgings["due_date"] < date.today() and lodgings["assigned_to"] == "council"  # overdue
    purple = by_provider["Purple Care Ltd"]
    assert (purple["type"], purple["team"], purple["related_kind"]) == ("CPLI Review", "Brokerage", "client")
