"""Payment runs: the run's row, the periods it covers, and what its payments add up to; always within
the council's authority (`AuthorityScope`) or, for the worker, by the run's own authority."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from shared.store import AuthorityScope, scoped_sql

RUN = """
    SELECT r.run_id, r.authority_id, r.reference, r.frequency, r.period_start, r.period_end, r.job_id,
           r.status, r.created_by, r.created_at, r.finalised_by, r.finalised_at, r.computed_through,
           r.contracts_total, r.contracts_done, r.failed_attempts, r.retry_after,
           (SELECT count(*)::int FROM payments.scheduled_payment sp WHERE sp.run_id = r.run_id) AS payments,
           (SELECT coalesce(sum(sp.excl_vat), 0) FROM payments.scheduled_payment sp WHERE sp.run_id = r.run_id)
               AS excl_vat,
           (SELECT coalesce(sum(sp.vat), 0) FROM payments.scheduled_payment sp WHERE sp.run_id = r.run_id) AS vat,
           (SELECT coalesce(sum(sp.total), 0) FROM payments.scheduled_payment sp WHERE sp.run_id = r.run_id)
               AS total
      FROM payments.payment_run r
"""


def _scope(authority_id: uuid.UUID) -> AuthorityScope:
    return AuthorityScope(authority_id, column="r.authority_id")


async def get_run(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, run_id: uuid.UUID
) -> asyncpg.Record | None:
    query, params = scoped_sql(RUN + " WHERE r.run_id = $1 AND {scope}", (run_id,), _scope(authority_id))
    return await conn.fetchrow(query, *params)


async def find_run(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, frequency: str, period_start: date
) -> asyncpg.Record | None:
    query, params = scoped_sql(
        RUN + " WHERE r.frequency = $1 AND r.period_start = $2 AND {scope}",
        (frequency, period_start),
        _scope(authority_id),
    )
    return await conn.fetchrow(query, *params)


async def open_run(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, frequency: str
) -> asyncpg.Record | None:
    """The authority's run of that frequency not finalised yet (computing, computed or failed), if any,
    under a lock that holds until the caller's transaction ends: two calls starting runs of two periods at
    once are taken one after the other, so only one run of a frequency is ever open."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"payments.run:{authority_id}:{frequency}"
    )
    query, params = scoped_sql(
        RUN
        + " WHERE r.frequency = $1 AND r.status <> 'finalised' AND {scope} ORDER BY r.period_start LIMIT 1",
        (frequency,),
        _scope(authority_id),
    )
    return await conn.fetchrow(query, *params)


async def list_runs(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, limit: int, offset: int
) -> list[asyncpg.Record]:
    query, params = scoped_sql(
        RUN + " WHERE {scope} ORDER BY r.period_start DESC, r.frequency, r.run_id LIMIT $1 OFFSET $2",
        (limit, offset),
        _scope(authority_id),
    )
    return list(await conn.fetch(query, *params))


async def run_periods(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, frequency: str, period_start: date
) -> asyncpg.Record:
    """How many schedules of that frequency have a period starting that day, its end and latest dates."""
    query, params = scoped_sql(
        """
        SELECT count(*)::int AS periods, max(p.end_date) AS period_end,
               max(p.last_amendment_date) AS last_amendment_date, max(p.finalisation_date) AS finalisation_date
          FROM payments.period p JOIN payments.schedule s USING (contract_id)
         WHERE s.frequency = $1 AND p.start_date = $2 AND {scope}
        """,
        (frequency, period_start),
        AuthorityScope(authority_id, column="p.authority_id"),
    )
    found = await conn.fetchrow(query, *params)
    assert found is not None  # an aggregate always answers a row
    return found


async def insert_run(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    reference: str,
    frequency: str,
    period_start: date,
    period_end: date,
    job_id: uuid.UUID,
    contracts: int,
    created_by: str,
) -> uuid.UUID | None:
    """The new run, or None when that (frequency, period) already has one (a concurrent start)."""
    found: uuid.UUID | None = await conn.fetchval(
        """
        INSERT INTO payments.payment_run
               (run_id, authority_id, reference, frequency, period_start, period_end, job_id, status,
                created_by, contracts_total)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 'computing', $8, $9)
        ON CONFLICT DO NOTHING
        RETURNING run_id
        """,
        uuid.uuid4(),
        authority_id,
        reference,
        frequency,
        period_start,
        period_end,
        job_id,
        created_by,
        contracts,
    )
    return found


async def lock_run(conn: asyncpg.Connection, *, run_id: uuid.UUID) -> asyncpg.Record | None:
    """The worker's: the run's row locked for this transaction (one chunk at a time, whichever worker)."""
    return await conn.fetchrow("SELECT * FROM payments.payment_run WHERE run_id = $1 FOR UPDATE", run_id)


async def next_computing(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID | None = None
) -> uuid.UUID | None:
    """The oldest run still computing and due, of any authority (the worker serves them all), or of one.
    A run put off after a failure (`put_off`) is not due until its `retry_after`."""
    found: uuid.UUID | None = await conn.fetchval(
        "SELECT run_id FROM payments.payment_run WHERE status = 'computing'"
        " AND (retry_after IS NULL OR retry_after <= now())"
        " AND ($1::uuid IS NULL OR authority_id = $1) ORDER BY created_at, run_id LIMIT 1",
        authority_id,
    )
    return found


async def put_off(
    conn: asyncpg.Connection,
    *,
    run_id: uuid.UUID,
    first_delay: float,
    longest_delay: float,
    most_attempts: int,
) -> asyncpg.Record | None:
    """A run whose computing failed: not due again for `first_delay` seconds, doubled at each failure up to
    `longest_delay`; at its `most_attempts`-th failure it is `failed` instead, not retried. Answers the
    run's (failed_attempts, status, job_id, authority_id), or None when it is no longer computing."""
    return await conn.fetchrow(
        "UPDATE payments.payment_run SET failed_attempts = failed_attempts + 1,"
        " status = CASE WHEN failed_attempts + 1 >= $4 THEN 'failed' ELSE status END,"
        " version = version + CASE WHEN failed_attempts + 1 >= $4 THEN 1 ELSE 0 END,"
        " retry_after = CASE WHEN failed_attempts + 1 >= $4 THEN NULL"
        "   ELSE now() + make_interval(secs => least($2 * power(2, failed_attempts), $3)) END"
        " WHERE run_id = $1 AND status = 'computing'"
        " RETURNING failed_attempts, status, job_id, authority_id",
        run_id,
        first_delay,
        longest_delay,
        most_attempts,
    )


async def resume_failed(conn: asyncpg.Connection, *, run_id: uuid.UUID, job_id: uuid.UUID) -> bool:
    """failed -> computing again, from its cursor, with a new job and no failures counted; False when the
    run was not failed (another call resumed it)."""
    status: str = await conn.execute(
        "UPDATE payments.payment_run SET status = 'computing', failed_attempts = 0, retry_after = NULL,"
        " job_id = $2, version = version + 1 WHERE run_id = $1 AND status = 'failed'",
        run_id,
        job_id,
    )
    return status.endswith(" 1")


async def advance_run(
    conn: asyncpg.Connection, *, run_id: uuid.UUID, through: uuid.UUID | None, taken: int
) -> None:
    """After a chunk: the cursor past its last contract; none taken: the run is computed."""
    if through is None:
        await conn.execute(
            "UPDATE payments.payment_run SET status = 'computed', version = version + 1, retry_after = NULL"
            " WHERE run_id = $1 AND status = 'computing'",
            run_id,
        )
        return
    await conn.execute(
        "UPDATE payments.payment_run SET computed_through = $2, contracts_done = contracts_done + $3"
        " WHERE run_id = $1",
        run_id,
        through,
        taken,
    )


async def unfinalised_payments(conn: asyncpg.Connection, *, run_id: uuid.UUID) -> list[uuid.UUID]:
    return [
        r["payment_id"]
        for r in await conn.fetch(
            "SELECT payment_id FROM payments.scheduled_payment WHERE run_id = $1 AND status <> 'finalised'"
            " ORDER BY contract_id",
            run_id,
        )
    ]


async def finalise_payment(conn: asyncpg.Connection, *, payment_id: uuid.UUID) -> None:
    """Disputed lines are held (owed again next run); the payment is what its payable lines add up to."""
    await conn.execute(
        "UPDATE payments.payment_line SET status = 'held' WHERE payment_id = $1 AND status = 'disputed'",
        payment_id,
    )
    await conn.execute(
        """
        UPDATE payments.scheduled_payment p
           SET status = 'finalised', finalised_at = now(), version = version + 1, updated_at = now(),
               excl_vat = t.excl_vat, vat = t.vat, total = t.excl_vat + t.vat
          FROM (SELECT coalesce(sum(excl_vat), 0) AS excl_vat, coalesce(sum(vat), 0) AS vat
                  FROM payments.payment_line WHERE payment_id = $1 AND status = 'payable') t
         WHERE p.payment_id = $1
        """,
        payment_id,
    )


async def insert_remittance(conn: asyncpg.Connection, **row: object) -> None:
    columns = ", ".join(row)
    values = ", ".join(f"${n}" for n in range(1, len(row) + 1))
    await conn.execute(f"INSERT INTO payments.remittance ({columns}) VALUES ({values})", *row.values())


async def insert_credit_note(conn: asyncpg.Connection, **row: object) -> None:
    columns = ", ".join(row)
    values = ", ".join(f"${n}" for n in range(1, len(row) + 1))
    await conn.execute(
        f"INSERT INTO payments.invoice ({columns}, kind, status) VALUES ({values}, 'credit_note', 'issued')",
        *row.values(),
    )


CreditLine = tuple[
    uuid.UUID | None, str | None, str | None, str | None, str | None, Decimal, Decimal, Decimal, date, date
]


async def insert_credit_note_lines(
    conn: asyncpg.Connection,
    *,
    invoice_id: uuid.UUID,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    lines: list[CreditLine],
) -> None:
    """A run's credit note's lines, numbered from 1 in order, each with the client, purchase order and
    cost code its event carries (client, reference, name, order number, cost code, excl VAT, VAT, total,
    and the service period taken back). They never stand: they name no week."""
    await conn.execute(
        """
        INSERT INTO payments.invoice_line
               (invoice_id, line_no, authority_id, organisation_id, client_id, client_reference, client_name,
                purchase_order_number, cost_code, excl_vat, vat, total, service_start, service_end, standing)
        SELECT $1, l.n, $2, $3, l.client_id, l.client_reference, l.client_name, l.purchase_order_number,
               l.cost_code, l.excl_vat, l.vat, l.total, l.service_start, l.service_end, false
          FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::numeric[],
                      $10::numeric[], $11::numeric[], $12::date[], $13::date[])
               WITH ORDINALITY AS l(client_id, client_reference, client_name, purchase_order_number, cost_code,
                                    excl_vat, vat, total, service_start, service_end, n)
        """,
        invoice_id,
        authority_id,
        organisation_id,
        *([line[i] for line in lines] for i in range(10)),
    )


async def mark_finalised(conn: asyncpg.Connection, *, run_id: uuid.UUID, by: str) -> asyncpg.Record | None:
    """computed -> finalised, once: None when another call finalised it first."""
    return await conn.fetchrow(
        "UPDATE payments.payment_run SET status = 'finalised', finalised_by = $2, finalised_at = now(),"
        " version = version + 1 WHERE run_id = $1 AND status = 'computed' RETURNING finalised_at",
        run_id,
        by,
    )


async def paid_weeks(conn: asyncpg.Connection, *, run_id: uuid.UUID) -> list[asyncpg.Record]:
    """The weeks of actuals the run's payable lines paid, but for a week with a line the run held: that
    week stays open, so that the council can unlock it for the provider to correct (a held line is paid
    once its source is corrected, store/compute.py)."""
    return list(
        await conn.fetch(
            """
            SELECT DISTINCT w.week_id, w.service_id, w.week_commencing
              FROM payments.payment_line l
              JOIN payments.scheduled_payment sp USING (payment_id)
              JOIN payments.confirmed_week w ON w.week_id = l.week_id
             WHERE sp.run_id = $1 AND l.status = 'payable' AND l.source = 'actuals'
               AND NOT EXISTS (SELECT 1 FROM payments.payment_line h
                                WHERE h.week_id = w.week_id AND h.payment_id = l.payment_id
                                  AND h.status = 'held')
             ORDER BY w.week_commencing, w.week_id
            """,
            run_id,
        )
    )
