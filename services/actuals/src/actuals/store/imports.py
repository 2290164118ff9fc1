"""SQL of the bulk import's batches (docs/actuals.md "Bulk import"): the uploaded file and its batch, what
the provider reads of it, the job's claim of a pending batch and its outcome, and the export. The SQL of
the job's checks and write is `actuals.store.import_stage`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import asyncpg

from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.records import Record
from shared.scoping import Columns
from shared.store import Scope, Unscoped, fetch, fetch_one, scoped_sql

# The tables of a provider's rows: each keeps its organisation, contract and service.
PROVIDER_ROWS = Columns(contract="contract_id", service="service_id")
ERRORS_SHOWN = 100
# The statements of a large import (a 50 MB file is some 700,000 rows) may take longer than the pool's
# command timeout (30 s), which is meant for a request's queries.
BULK_TIMEOUT = 1800.0


def provider_scope(principal: Principal) -> Scope:
    return Scope.of(principal, PROVIDER_ROWS)


def prefixed(alias: str) -> Columns:
    return Columns(
        authority=f"{alias}.authority_id",
        organisation=f"{alias}.organisation_id",
        contract=f"{alias}.contract_id",
        service=f"{alias}.service_id",
    )


class ImportBatch(Record):
    import_id: uuid.UUID
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID | None
    service_id: uuid.UUID | None
    file_reference: str
    file_name: str
    bytes: int
    job_id: uuid.UUID | None
    rows: int
    status: str
    error_count: int
    created_at: datetime
    created_by: str
    finished_at: datetime | None
    uploader: dict[str, Any]

    def principal(self) -> Principal:
        """The uploader as they were at upload: the job looks everything up within their scope."""
        u = self.uploader
        return Principal(
            subject=self.created_by,
            kind=PrincipalKind(u["kind"]),
            authority_id=self.authority_id,
            organisation_id=self.organisation_id,
            role=Role(u["role"]),
            can_edit=bool(u["can_edit"]),
            scope_type=ScopeType(u["scope_type"]),
            scope_id=uuid.UUID(u["scope_id"]) if u.get("scope_id") else None,
            scope_contract_id=uuid.UUID(u["scope_contract_id"]) if u.get("scope_contract_id") else None,
        )


class ImportFault(Record):
    row: int
    column: str | None
    message: str


def uploader_of(principal: Principal) -> dict[str, Any]:
    return {
        "kind": principal.kind.value,
        "role": principal.role.value,
        "can_edit": principal.can_edit,
        "scope_type": principal.scope_type.value,
        "scope_id": str(principal.scope_id) if principal.scope_id else None,
        "scope_contract_id": str(principal.scope_contract_id) if principal.scope_contract_id else None,
    }


def _batch(row: asyncpg.Record | None) -> ImportBatch | None:
    if row is None:
        return None
    values = dict(row)
    uploader = values.get("uploader")
    values["uploader"] = json.loads(uploader) if isinstance(uploader, str) else uploader or {}
    return ImportBatch.from_row(values)


# --- upload -----------------------------------------------------------------------------------------


async def insert_batch(
    conn: asyncpg.Connection,
    *,
    principal: Principal,
    file_reference: str,
    file_name: str,
    content: bytes,
) -> ImportBatch | None:
    """A pending batch and its file; None when a pending or imported batch holds the file reference."""
    import_id = uuid.uuid4()
    contract_id, service_id = _scope_ids(principal)
    row = await conn.fetchrow(
        "INSERT INTO actuals.import_batch (import_id, authority_id, organisation_id, contract_id, service_id,"
        " file_reference, file_name, bytes, uploader, created_by)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)"
        " ON CONFLICT (authority_id, organisation_id, file_reference) WHERE status <> 'refused' DO NOTHING"
        " RETURNING *",
        import_id,
        principal.authority_id,
        principal.organisation_id,
        contract_id,
        service_id,
        file_reference,
        file_name,
        len(content),
        json.dumps(uploader_of(principal)),
        principal.subject,
    )
    if row is None:
        return None
    await conn.execute(
        "INSERT INTO actuals.import_file (import_id, content) VALUES ($1, $2)",
        import_id,
        content,
        timeout=BULK_TIMEOUT,
    )
    return _batch(row)


def _scope_ids(principal: Principal) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The batch's contract and service: the uploader's own, so narrower users see only theirs."""
    if principal.scope_type is ScopeType.contract:
        return principal.scope_id, None
    if principal.scope_type is ScopeType.service:
        return principal.scope_contract_id, principal.scope_id
    return None, None


async def holder_of_reference(
    conn: asyncpg.Connection, *, scope: Scope, file_reference: str
) -> ImportBatch | None:
    """The pending or imported batch of the caller's organisation that holds `file_reference`."""
    # The organisation's, whatever the uploader's contract or service: the reference is unique in it.
    organisation_wide = Scope.of(scope.principal, Columns(), organisation_rows=True)
    query, params = scoped_sql(
        "SELECT * FROM actuals.import_batch WHERE file_reference = $1 AND status <> 'refused' AND {scope}",
        (file_reference,),
        organisation_wide,
    )
    return _batch(await conn.fetchrow(query, *params))


async def set_job(conn: asyncpg.Connection, *, import_id: uuid.UUID, job_id: uuid.UUID) -> ImportBatch:
    row = await conn.fetchrow(
        "UPDATE actuals.import_batch SET job_id = $2 WHERE import_id = $1 RETURNING *", import_id, job_id
    )
    batch = _batch(row)
    assert batch is not None
    return batch


# --- reading ----------------------------------------------------------------------------------------


async def get_batch(conn: asyncpg.Connection, *, scope: Scope, import_id: uuid.UUID) -> ImportBatch | None:
    query, params = scoped_sql(
        "SELECT * FROM actuals.import_batch WHERE import_id = $1 AND {scope}", (import_id,), scope
    )
    return _batch(await conn.fetchrow(query, *params))


async def faults_of(
    conn: asyncpg.Connection, *, scope: Scope, import_id: uuid.UUID, limit: int | None = None
) -> list[ImportFault]:
    return await fetch(
        conn,
        ImportFault,
        'SELECT e.row, e."column", e.message FROM actuals.import_error e'
        " JOIN actuals.import_batch b USING (import_id)"
        " WHERE e.import_id = $1 AND {scope} ORDER BY e.seq LIMIT $2",
        import_id,
        limit,
        scope=Scope.of(scope.principal, prefixed("b")),
    )


# --- the job ----------------------------------------------------------------------------------------

WORKER = Unscoped(
    "the import worker takes any tenant's pending file; the job then applies its uploader's scope"
)


async def claim_next(conn: asyncpg.Connection) -> ImportBatch | None:
    """The oldest pending batch no other worker holds, locked until this transaction ends: a worker that
    dies mid-way releases it, and the next one takes it from the start (nothing was written)."""
    row = await conn.fetchrow(
        "SELECT * FROM actuals.import_batch WHERE status = 'pending'"
        " ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    return _batch(row)


async def claim(conn: asyncpg.Connection, *, import_id: uuid.UUID) -> ImportBatch | None:
    row = await conn.fetchrow(
        "SELECT * FROM actuals.import_batch WHERE import_id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED",
        import_id,
    )
    return _batch(row)


async def count_attempt(db: asyncpg.Pool | asyncpg.Connection, *, import_id: uuid.UUID) -> int:
    """One more worker took the file (committed at once, outside the import's transaction)."""
    return int(
        await db.fetchval(
            "UPDATE actuals.import_file SET attempts = attempts + 1 WHERE import_id = $1 RETURNING attempts",
            import_id,
        )
        or 0
    )


async def file_content(conn: asyncpg.Connection, *, import_id: uuid.UUID) -> bytes:
    return bytes(
        await conn.fetchval(
            "SELECT content FROM actuals.import_file WHERE import_id = $1", import_id, timeout=BULK_TIMEOUT
        )
        or b""
    )


async def mark_imported(conn: asyncpg.Connection, *, import_id: uuid.UUID, rows: int) -> None:
    """Imported: the file is no longer needed (the lines hold everything it said)."""
    await conn.execute(
        "UPDATE actuals.import_batch SET status = 'imported', rows = $2, finished_at = now() WHERE import_id = $1",
        import_id,
        rows,
    )
    await conn.execute("DELETE FROM actuals.import_file WHERE import_id = $1", import_id)


async def mark_refused(
    conn: asyncpg.Connection,
    *,
    import_id: uuid.UUID,
    rows: int,
    faults: Sequence[tuple[int, str | None, str]],
) -> None:
    """Refused, with every fault; the file is dropped (the provider corrects their copy and sends it again)."""
    await conn.execute(
        "UPDATE actuals.import_batch SET status = 'refused', rows = $2, error_count = $3, finished_at = now()"
        " WHERE import_id = $1",
        import_id,
        rows,
        len(faults),
    )
    await conn.execute("DELETE FROM actuals.import_error WHERE import_id = $1", import_id)
    await conn.copy_records_to_table(
        "import_error",
        schema_name="actuals",
        records=[(import_id, n, *fault) for n, fault in enumerate(faults, start=1)],
        columns=("import_id", "seq", "row", "column", "message"),
        timeout=BULK_TIMEOUT,
    )
    await conn.execute("DELETE FROM actuals.import_file WHERE import_id = $1", import_id)


# --- export -----------------------------------------------------------------------------------------


class ExportService(Record):
    service_id: uuid.UUID
    reference: str
    name: str


async def export_service(
    conn: asyncpg.Connection, *, scope: Scope, service_id: uuid.UUID
) -> ExportService | None:
    return await fetch_one(
        conn,
        ExportService,
        "SELECT service_id, reference, name FROM actuals.provider_service WHERE service_id = $1 AND {scope}",
        service_id,
        scope=scope,
    )


async def export_lines(
    conn: asyncpg.Connection, *, scope: Scope, service_id: uuid.UUID, first_week: date, last_week: date
) -> list[asyncpg.Record]:
    """Every line of the service's weeks from `first_week` to `last_week` (Mondays), by week and client
    reference: (week_commencing, client reference, actual, planned, frustrated, missed, extra, visits,
    comment). A generated line not yet entered is there too (its actual is the plan), so that a provider
    who downloads a week, edits it and imports it back loses no line."""
    query, params = scoped_sql(
        "SELECT w.week_commencing, c.reference, l.actual, l.planned, l.frustrated, l.missed, l.extra,"
        " l.visits, l.comment FROM actuals.actual_week w JOIN actuals.actual_line l USING (week_id)"
        " JOIN actuals.client c ON c.client_id = l.client_id"
        " WHERE w.service_id = $1 AND w.week_commencing BETWEEN $2 AND $3 AND {scope}"
        " ORDER BY w.week_commencing, c.reference",
        (service_id, first_week, last_week),
        Scope.of(scope.principal, prefixed("w")),
    )
    return list(await conn.fetch(query, *params))
