"""Migration 0011 moves the requests identity kept in tables of their own (new contacts, organisation
changes) onto request and decide (`identity.decision_request`), keeping ids, decisions, revisions and
where each lies, so that what was asked before the upgrade reads and decides as before."""

from __future__ import annotations

import json
import secrets
import uuid
from importlib.resources import files

import asyncpg

from shared import db
from shared.migrations import DECISION_REQUESTS, OUTBOX_INBOX, load_migrations, migrate
from tests.support.environment import ADMIN_DSN, RunEnvironment

NEW = {"platform/0007_decision_requests.sql", "0011_decision_requests.sql"}


async def test_old_requests_become_decision_requests(env):
    scratch = RunEnvironment(run_id=secrets.token_hex(4))
    databases = [db.ServiceDatabase.from_dsn(schema="identity", dsn=scratch.dsn("identity"))]
    await db.bootstrap(ADMIN_DSN, databases)
    try:
        conn = await asyncpg.connect(scratch.dsn("identity"))
        try:
            migrations = load_migrations(
                schema="identity",
                service_migrations=files("identity") / "migrations",
                platform=(OUTBOX_INBOX, DECISION_REQUESTS),
            )
            await migrate(conn, schema="identity", migrations=[m for m in migrations if m.name not in NEW])
            ids = await legacy_requests(conn)
            assert set(await migrate(conn, schema="identity", migrations=migrations)) == NEW
            rows = {
                r["request_id"]: dict(r) for r in await conn.fetch("SELECT * FROM identity.decision_request")
            }
            tables = await conn.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'identity'"
                " AND tablename IN ('contact_request', 'organisation_change_request')"
            )
        finally:
            await conn.close()
    finally:
        await db.drop_everything(ADMIN_DSN, databases)

    assert set(rows) == {ids["pending"], ids["approved"], ids["change"]} and tables == 0
    pending = rows[ids["pending"]]
    assert (pending["kind"], pending["status"], pending["subject"], pending["exclusive"]) == (
        "new_contact",
        "pending",
        "new-contact:new@provider.example",
        True,
    )
    # A request for access to a service lies in the service and its contract (scoped Admins see it).
    assert (pending["service_id"], pending["contract_id"]) == (ids["service"], ids["contract"])
    assert json.loads(pending["payload"]) == {
        "forename": "New",
        "surname": "Contact",
        "address": "1 High Street",
        "phone": "01632 960001",
        "email": "new@provider.example",
        "role": "care",
        "can_edit": True,
        "scope_type": "service",
        "scope_id": str(ids["service"]),
    }
    approved = rows[ids["approved"]]
    assert (approved["status"], approved["decided_by"], approved["revision"]) == ("approved", "council-1", 2)
    assert json.loads(approved["outcome"]) == {"user_id": str(ids["user"])}
    assert approved["requested_by"] == str(ids["user"]) and approved["contract_id"] is None
    change = rows[ids["change"]]
    assert (change["kind"], change["status"], change["reason"]) == (
        "organisation_change",
        "rejected",
        "Not us",
    )
    assert json.loads(change["payload"])["changed"] == ["name", "postcode"]


async def legacy_requests(conn: asyncpg.Connection) -> dict[str, uuid.UUID]:
    """An authority, an organisation with a contract and a service, a user, and three requests as the
    old tables held them: a new contact pending, one approved, a change of details rejected."""
    ids = {name: uuid.uuid4() for name in ("authority", "organisation", "contract", "service", "user")}
    ids |= {name: uuid.uuid4() for name in ("pending", "approved", "change")}
    a, o, c, s, u = (ids[n] for n in ("authority", "organisation", "contract", "service", "user"))
    await conn.execute(
        "INSERT INTO identity.authority (authority_id, slug, name) VALUES ($1, 'migrated', 'M')", a
    )
    await conn.execute(
        "INSERT INTO identity.organisation (organisation_id, authority_id, reference, name, active)"
        " VALUES ($1, $2, 'P1', 'Purple Care', true)",
        o,
        a,
    )
    await conn.execute(
        "INSERT INTO identity.contract (contract_id, authority_id, organisation_id, reference, name,"
        " payment_basis, frequency) VALUES ($1, $2, $3, 'C1', 'Home care', 'actuals', 'weekly')",
        c,
        a,
        o,
    )
    await conn.execute(
        "INSERT INTO identity.provider_service (service_id, authority_id, organisation_id, contract_id,"
        " reference, name) VALUES ($1, $2, $3, $4, 'S1', 'Nursing Home')",
        s,
        a,
        o,
        c,
    )
    await conn.execute(
        "INSERT INTO identity.app_user (user_id, authority_id, email, forename, surname, password_hash)"
        " VALUES ($1, $2, 'admin@provider.example', 'Dawn', 'Stockton', 'x')",
        u,
        a,
    )
    columns = (
        "request_id, authority_id, organisation_id, requested_by, forename, surname, address, phone, email,"
        " role, can_edit, scope_type, scope_id"
    )
    await conn.execute(
        f"INSERT INTO identity.contact_request ({columns}) VALUES ($1, $2, $3, $4, 'New', 'Contact',"
        " '1 High Street', '01632 960001', 'new@provider.example', 'care', true, 'service', $5)",
        ids["pending"],
        a,
        o,
        u,
        s,
    )
    await conn.execute(
        f"INSERT INTO identity.contact_request ({columns}, status, decided_at, decided_by, user_id, revision)"
        " VALUES ($1, $2, $3, $4, 'Old', 'Friend', '2 High Street', '01632 960002', 'old@provider.example',"
        " 'full', false, 'organisation', $3, 'approved', now(), 'council-1', $4, 2)",
        ids["approved"],
        a,
        o,
        u,
    )
    await conn.execute(
        "INSERT INTO identity.organisation_change_request (request_id, authority_id, organisation_id,"
        " requested_by, name, address, postcode, phone, email, changed, status, reason, decided_at,"
        " decided_by, revision) VALUES ($1, $2, $3, $4, 'Purple', '1 St', 'TF1 1AA', '01632 960003',"
        " 'o@provider.example', ARRAY['name', 'postcode'], 'rejected', 'Not us', now(), 'council-1', 2)",
        ids["change"],
        a,
        o,
        u,
    )
    return ids
