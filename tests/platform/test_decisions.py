"""Request and decide on its own, against a real database: a scratch schema with the platform
migrations a service would apply (outbox, audit log, decision_request) and two kinds of request a
service might declare. What is asked, seen, decided and withdrawn is written with its audit entry and
its full-state event in one unit of work, or not at all; each caller sees only what is theirs."""

from __future__ import annotations

import secrets
import uuid
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus import Outbox
from shared.capabilities import Capability
from shared.decisions import Actions, DecisionRequest, Decisions, Kind, Status
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import EventPayload
from shared.migrations import AUDIT_LOG, DECISION_REQUESTS, OUTBOX_INBOX, load_migrations, migrate
from shared.uow import Actor, Work
from tests.support.environment import ADMIN_DSN

OWNER = "actuals"  # any service role may own the scratch schema


class Closure(BaseModel):
    package: str
    closing_on: str


class ClosureRequestUpserted(EventPayload):
    producer = "tests"
    aggregate = "closure_request"
    event = "upserted"

    request_id: uuid.UUID = Field(description="id")
    package: str = Field(description="what is to close")
    status: Literal["pending", "approved", "rejected", "withdrawn"] = Field(description="where it is")
    reason: str | None = Field(description="why not")
    revision: int = Field(description="revision")


def closure_event(request: DecisionRequest) -> ClosureRequestUpserted:
    return ClosureRequestUpserted(
        request_id=request.request_id,
        package=request.details(Closure).package,
        status=request.status.value,
        reason=request.reason,
        revision=request.revision,
    )


CLOSURE = Kind(
    name="closure",
    what="closure request",
    payload=Closure,
    capability=Capability.care_package_line_items,
    event=closure_event,
    actions=Actions.named("closure"),
    already_pending="a closure of this package is already waiting for the council",
)
NOTE = Kind(  # not exclusive: any number may wait for the same subject
    name="note",
    what="note",
    payload=Closure,
    capability=Capability.care_package_line_items,
    event=closure_event,
    actions=Actions.named("note"),
    exclusive=False,
)


@pytest.fixture
async def work(env):
    schema = f"decisions_{secrets.token_hex(4)}"
    admin = await db.connect(db.with_database(ADMIN_DSN, env.database))
    try:
        await admin.execute(f"CREATE SCHEMA {db.ident(schema)} AUTHORIZATION {db.ident(env.role(OWNER))}")
    finally:
        await admin.close()
    pool = await db.create_pool(env.dsn(OWNER), min_size=1, max_size=4)
    try:
        async with pool.acquire() as conn:
            platform = (OUTBOX_INBOX, AUDIT_LOG, DECISION_REQUESTS)
            await migrate(
                conn,
                schema=schema,
                migrations=load_migrations(schema=schema, service_migrations=None, platform=platform),
            )
        yield Work(pool, Outbox(schema)), Decisions(schema, [CLOSURE, NOTE])
    finally:
        await pool.close()
        admin = await db.connect(db.with_database(ADMIN_DSN, env.database))
        try:
            await admin.execute(f"DROP SCHEMA {db.ident(schema)} CASCADE")
        finally:
            await admin.close()


class Tenancy:
    """An authority with two organisations; the first has a contract."""

    def __init__(self) -> None:
        self.authority = uuid.uuid4()
        self.organisation, self.other_organisation, self.contract = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def provider(
        self, *, subject: str = "carer-1", edit: bool = True, organisation=None, **scope
    ) -> Principal:
        return Principal(
            subject=subject,
            kind=scope.pop("kind", PrincipalKind.user),
            authority_id=self.authority,
            organisation_id=organisation or self.organisation,
            role=scope.pop("role", Role.care),
            can_edit=edit,
            scope_type=scope.pop("scope_type", ScopeType.organisation),
            scope_id=scope.pop("scope_id", None),
        )

    def council(self, *, edit: bool = True) -> Principal:
        return Principal(
            subject="council-1",
            kind=PrincipalKind.council_client,
            authority_id=self.authority,
            organisation_id=None,
            role=Role.council,
            can_edit=edit,
            scope_type=ScopeType.authority,
            scope_id=None,
        )


def actor(principal: Principal) -> Actor:
    return Actor.of(principal, address="203.0.113.7", request_id=f"req-{uuid.uuid4().hex[:8]}")


async def submit(work: Work, decisions: Decisions, principal: Principal, package: str = "CPLI-1", **kw):
    async with work.begin(actor(principal)) as uow:
        return await decisions.submit(
            uow,
            principal,
            kw.pop("kind", CLOSURE),
            Closure(package=package, closing_on="2026-12-01"),
            subject=kw.pop("subject", f"package:{package}"),
            **kw,
        )


async def trail(work: Work, request_id: uuid.UUID) -> tuple[list[str], list[tuple[str, int]]]:
    """The audit actions and the events (status, revision) of one request, in order."""
    schema = work.outbox.schema
    async with work.read() as conn:
        audits = await conn.fetch(
            f"SELECT action FROM {schema}.audit_event WHERE detail->>'request' = $1 ORDER BY audit_id",
            str(request_id),
        )
        events = await conn.fetch(
            f"SELECT convert_from(body, 'UTF8')::jsonb->'payload' AS payload FROM {schema}.outbox"
            " WHERE convert_from(body, 'UTF8')::jsonb->>'aggregate_id' = $1 ORDER BY created_at, event_id",
            str(request_id),
        )
    return [a["action"] for a in audits], [(e["payload"]["status"], e["payload"]["revision"]) for e in events]


async def test_asking_writes_the_request_its_audit_entry_and_its_event_and_a_second_one_waits(work):
    work, decisions = work
    t = Tenancy()
    carer = t.provider()
    request = await submit(work, decisions, carer, contract_id=t.contract)
    assert (request.status, request.requested_by, request.organisation_id) == (
        Status.pending,
        "carer-1",
        t.organisation,
    )
    assert (request.revision, request.decided_at, request.contract_id) == (1, None, t.contract)
    assert await trail(work, request.request_id) == (["closure_submitted"], [("pending", 1)])

    with pytest.raises(Conflict, match="already waiting for the council"):
        await submit(work, decisions, carer)
    other = await submit(work, decisions, carer, package="CPLI-2")  # another subject
    elsewhere = await submit(
        work, decisions, t.provider(organisation=t.other_organisation)
    )  # another organisation
    notes = [await submit(work, decisions, carer, kind=NOTE) for _ in range(2)]  # not exclusive
    assert (
        len({request.request_id, other.request_id, elsewhere.request_id, *(n.request_id for n in notes)}) == 5
    )


async def test_who_may_ask(work):
    work, decisions = work
    t = Tenancy()
    for principal, refusal in [
        (t.provider(edit=False), "read-only"),
        (t.provider(role=Role.finance), "does not give access to care package line items"),
        (t.provider(kind=PrincipalKind.api_key), "made by people, not API keys"),
        (t.council(), "the council decides closure requests"),
    ]:
        with pytest.raises(Forbidden, match=refusal):
            await submit(work, decisions, principal)
    async with work.read() as conn:
        assert await decisions.listing(conn, t.council(), [CLOSURE], limit=None, offset=0) == []


async def test_each_caller_sees_only_its_own_and_another_tenants_ids_are_not_found(work):
    work, decisions = work
    t, stranger = Tenancy(), Tenancy()
    mine = await submit(work, decisions, t.provider())
    in_contract = await submit(work, decisions, t.provider(), package="CPLI-9", contract_id=t.contract)
    theirs = await submit(work, decisions, t.provider(organisation=t.other_organisation))
    far = await submit(work, decisions, stranger.provider())

    async with work.read() as conn:

        async def seen(principal, kinds=(CLOSURE,)):
            rows = await decisions.listing(conn, principal, list(kinds), limit=None, offset=0)
            return {r.request_id for r in rows}

        with pytest.raises(Forbidden, match="does not give access to care package line items"):
            await seen(t.provider(role=Role.admin))
        assert await seen(t.provider(edit=False)) == {mine.request_id, in_contract.request_id}
        narrow = t.provider(scope_type=ScopeType.contract, scope_id=t.contract)
        assert await seen(narrow) == {in_contract.request_id}
        assert await seen(t.council(edit=False)) == {
            mine.request_id,
            in_contract.request_id,
            theirs.request_id,
        }
        assert await seen(t.council(), kinds=(NOTE,)) == set()
        assert (await decisions.visible(conn, t.provider(), [CLOSURE], request_id=mine.request_id)) == mine
        for principal, request_id in [
            (t.provider(), theirs.request_id),
            (t.provider(), far.request_id),
            (narrow, mine.request_id),
            (t.council(), far.request_id),
            (t.provider(), uuid.uuid4()),
        ]:
            with pytest.raises(NotFound, match="There is no closure request with that id"):
                await decisions.visible(conn, principal, [CLOSURE], request_id=request_id)
        with pytest.raises(NotFound):  # the id exists, but not as this kind
            await decisions.visible(conn, t.provider(), [NOTE], request_id=mine.request_id)
        with pytest.raises(Forbidden):
            await decisions.visible(
                conn, t.provider(role=Role.finance), [CLOSURE], request_id=mine.request_id
            )


async def approve(work: Work, decisions: Decisions, council: Principal, request_id: uuid.UUID, **outcome):
    async with work.begin(actor(council)) as uow:
        request = await decisions.pending(uow, council, [CLOSURE], request_id=request_id)
        return await decisions.approve(uow, council, request, outcome=outcome, applied=True)


async def test_approval_records_who_when_and_the_outcome_and_only_a_pending_request_is_decided(work):
    work, decisions = work
    t = Tenancy()
    request = await submit(work, decisions, t.provider())
    closed = uuid.uuid4()
    decided = await approve(work, decisions, t.council(), request.request_id, closed_package=closed)
    assert (decided.status, decided.decided_by, decided.revision) == (Status.approved, "council-1", 2)
    assert decided.outcome == {"closed_package": str(closed)} and decided.decided_at is not None
    assert decided.payload == request.payload
    assert await trail(work, request.request_id) == (
        ["closure_submitted", "closure_approved"],
        [("pending", 1), ("approved", 2)],
    )
    with pytest.raises(Conflict, match="already been approved"):
        await approve(work, decisions, t.council(), request.request_id)
    async with work.begin(actor(t.council())) as uow:
        with pytest.raises(Conflict, match="already been approved"):
            await decisions.reject(uow, t.council(), decided, reason="too late")
    # Decided, the subject is free again.
    assert (await submit(work, decisions, t.provider())).status is Status.pending


async def test_who_may_decide(work):
    work, decisions = work
    t, stranger = Tenancy(), Tenancy()
    request = await submit(work, decisions, t.provider())
    for principal, error in [
        (t.provider(role=Role.full), Forbidden),
        (t.council(edit=False), Forbidden),
        (stranger.council(), NotFound),
    ]:
        with pytest.raises(error):
            await approve(work, decisions, principal, request.request_id)
    assert await trail(work, request.request_id) == (["closure_submitted"], [("pending", 1)])


async def test_a_rejection_needs_a_reason_and_keeps_it(work):
    work, decisions = work
    t = Tenancy()
    request = await submit(work, decisions, t.provider())
    async with work.begin(actor(t.council())) as uow:
        pending = await decisions.pending(uow, t.council(), [CLOSURE], request_id=request.request_id)
        with pytest.raises(Invalid) as refused:
            await decisions.reject(uow, t.council(), pending, reason="  ")
    assert refused.value.fields is not None and refused.value.fields[0].field == "reason"
    async with work.begin(actor(t.council())) as uow:
        pending = await decisions.pending(uow, t.council(), [CLOSURE], request_id=request.request_id)
        rejected = await decisions.reject(uow, t.council(), pending, reason=" Still receiving care ")
    assert (rejected.status, rejected.reason, rejected.outcome) == (
        Status.rejected,
        "Still receiving care",
        {},
    )
    assert await trail(work, request.request_id) == (
        ["closure_submitted", "closure_rejected"],
        [("pending", 1), ("rejected", 2)],
    )


async def test_a_decision_whose_change_fails_leaves_nothing_behind(work):
    work, decisions = work
    t = Tenancy()
    request = await submit(work, decisions, t.provider())
    with pytest.raises(RuntimeError, match="the kind's change failed"):
        async with work.begin(actor(t.council())) as uow:
            pending = await decisions.pending(uow, t.council(), [CLOSURE], request_id=request.request_id)
            await decisions.approve(uow, t.council(), pending)
            raise RuntimeError("the kind's change failed")
    async with work.read() as conn:
        again = await decisions.visible(conn, t.council(), [CLOSURE], request_id=request.request_id)
    assert (again.status, again.revision) == (Status.pending, 1)
    assert await trail(work, request.request_id) == (["closure_submitted"], [("pending", 1)])


async def test_only_the_person_who_asked_withdraws_and_only_while_it_waits(work):
    work, decisions = work
    t = Tenancy()
    request = await submit(work, decisions, t.provider(subject="carer-1"))

    async def withdraw(principal):
        async with work.begin(actor(principal)) as uow:
            return await decisions.withdraw(uow, principal, [CLOSURE], request_id=request.request_id)

    with pytest.raises(Forbidden, match="only the person who asked"):
        await withdraw(t.provider(subject="carer-2"))
    with pytest.raises(Forbidden, match="read-only"):
        await withdraw(t.provider(subject="carer-1", edit=False))
    with pytest.raises(NotFound):
        await withdraw(t.provider(subject="carer-1", organisation=t.other_organisation))
    withdrawn = await withdraw(t.provider(subject="carer-1"))
    assert (withdrawn.status, withdrawn.decided_by, withdrawn.reason) == (Status.withdrawn, "carer-1", None)
    with pytest.raises(Conflict, match="already been withdrawn"):
        await approve(work, decisions, t.council(), request.request_id)
    assert await trail(work, request.request_id) == (
        ["closure_submitted", "closure_withdrawn"],
        [("pending", 1), ("withdrawn", 2)],
    )
