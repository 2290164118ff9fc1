"""Computing one chunk of a payment run's contracts in set-based SQL (docs/payments.md "Runs").

What each contract is owed up to the period's end (planned CPLIs, confirmed weeks of actuals, accepted
claim items), minus what finalised runs paid for the same `source_key`, is the payment's lines; a
non-zero difference for an earlier service period is an adjustment. The chunk's working sets are
temporary tables dropped at commit; the statements that read them take no parameters (each chunk's
tables are new, so no prepared plan of them is kept).
"""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from payments.store import payment_states

# The financial year ('2019/2020') of a date column, as payments.domain.periods.financial_year.
FY = (
    "(CASE WHEN extract(month FROM {d}) >= 4 THEN extract(year FROM {d})::int"
    " ELSE extract(year FROM {d})::int - 1 END)"
)


def fy(column: str) -> str:
    first = FY.format(d=column)
    return f"({first}::text || '/' || ({first} + 1)::text)"


CHUNK_TABLE = """
    CREATE TEMP TABLE run_chunk (
        run_id uuid, authority_id uuid, contract_id uuid, period_id uuid, organisation_id uuid,
        start_date date, end_date date, vat_rate numeric(5, 4), payment_basis text, year_start date,
        today date
    ) ON COMMIT DROP
"""

# The next contracts of the run after the cursor: their period, schedule and basis. A contract that already
# has a payment for its period (another worker's) is left alone.
TAKE_CHUNK = """
    INSERT INTO run_chunk
    SELECT $1, $2, p.contract_id, p.period_id, p.organisation_id, p.start_date, p.end_date, s.vat_rate,
           c.payment_basis, $7::date, $8::date
      FROM payments.period p
      JOIN payments.schedule s USING (contract_id)
      JOIN payments.contract c USING (contract_id)
     WHERE p.authority_id = $2 AND s.frequency = $3 AND p.start_date = $4 AND p.contract_id > $5
       AND NOT EXISTS (SELECT 1 FROM payments.scheduled_payment sp WHERE sp.period_id = p.period_id)
     ORDER BY p.contract_id
     LIMIT $6
"""

# Owed now, per source. Planned: each CPLI for this period, and for earlier periods of the financial year
# only where that period was finalised before the CPLI last changed (a back-dated rate or end date, an
# authorisation withdrawn: owed 0, so the difference takes back) or where a line of it was held (a
# disputed line left out: owed again). Only "Weekly" CPLIs (cost a week).
OWED = f"""
    CREATE TEMP TABLE run_owed ON COMMIT DROP AS
    SELECT rc.contract_id, 'planned'::text AS source,
           'planned:' || c.cpli_id || ':' || pe.start_date AS source_key,
           c.client_id, c.service_id, NULL::uuid AS week_id, NULL::text AS cost_code,
           CASE WHEN o.e >= o.s THEN o.s ELSE pe.start_date END AS service_start,
           CASE WHEN o.e >= o.s THEN o.e ELSE pe.end_date END AS service_end,
           CASE WHEN c.authorised AND o.e >= o.s THEN round(c.cost * ((o.e - o.s) + 1) / 7, 2) ELSE 0 END
               AS amount,
           {fy("pe.start_date")} AS financial_year, 'client'::text AS po_kind
      FROM run_chunk rc
      JOIN payments.cpli c ON c.contract_id = rc.contract_id AND lower(c.frequency) = 'weekly'
      JOIN payments.period pe ON pe.contract_id = rc.contract_id
                             AND pe.start_date <= rc.start_date AND pe.start_date >= rc.year_start
      CROSS JOIN LATERAL (SELECT greatest(pe.start_date, c.start_date) AS s,
                                 least(pe.end_date, coalesce(c.end_date, pe.end_date)) AS e) o
     WHERE rc.payment_basis = 'planned'
       AND CASE WHEN pe.period_id = rc.period_id THEN c.authorised AND o.e >= o.s
                ELSE EXISTS (SELECT 1 FROM payments.scheduled_payment sp
                              WHERE sp.period_id = pe.period_id AND sp.status = 'finalised'
                                AND (sp.finalised_at < c.updated_at
                                     OR EXISTS (SELECT 1 FROM payments.payment_line h
                                                 WHERE h.payment_id = sp.payment_id AND h.status = 'held'
                                                   AND h.source_key = 'planned:' || c.cpli_id || ':'
                                                                      || pe.start_date))) END
    UNION ALL
    SELECT rc.contract_id, 'actuals', 'actuals:' || l.line_id, l.client_id, w.service_id, w.week_id, NULL,
           w.week_commencing, w.week_commencing + 6, l.total, {fy("w.week_commencing")}, 'client'
      FROM run_chunk rc
      JOIN payments.confirmed_week w ON w.contract_id = rc.contract_id AND w.confirmed
                                    AND w.week_commencing <= rc.end_date
      JOIN payments.confirmed_line l ON l.week_id = w.week_id
     WHERE rc.payment_basis = 'actuals'
    UNION ALL
    SELECT rc.contract_id, 'claim', 'claim:' || a.item_id, a.client_id, NULL, NULL, a.cost_code,
           a.claim_date, a.claim_date, a.amount, a.financial_year, 'one_off_claims'
      FROM payments.accepted_item a
      CROSS JOIN LATERAL (
          SELECT coalesce(
              (SELECT c.contract_id FROM payments.cpli c JOIN payments.contract k USING (contract_id)
                WHERE c.client_id = a.client_id AND c.organisation_id = a.organisation_id AND c.authorised
                ORDER BY k.reference LIMIT 1),
              (SELECT k.contract_id FROM payments.contract k
                WHERE k.organisation_id = a.organisation_id AND k.active ORDER BY k.reference LIMIT 1)
          ) AS contract_id) owner
      JOIN run_chunk rc ON rc.contract_id = owner.contract_id
     WHERE a.organisation_id IN (SELECT organisation_id FROM run_chunk)
       AND a.authority_id = rc.authority_id AND a.claim_date <= rc.end_date
"""

# Owed minus paid: what finalised runs paid per source (held and disputed lines were not paid).
# A held line (disputed when its payment was finalised) stands while its dispute is pending or approved
# (the provider was right that it is wrong) and its source is as it was: while what is owed for the
# source is still the amount held, and no payable line of the source was finalised since, the run makes
# no line for it. Once the council corrects the source (a week of actuals unlocked, corrected and
# confirmed again, a CPLI changed), the corrected amount is paid; once it rejects the dispute (the line
# was right), the amount held is. An accepted claim's item never changes, so a held item whose dispute
# was approved is not paid: the provider claims anew.
LINES = """
    CREATE TEMP TABLE run_lines ON COMMIT DROP AS
    WITH paid AS (
        SELECT l.contract_id, l.source_key, sum(l.excl_vat) AS excl_vat, sum(l.vat) AS vat
          FROM payments.payment_line l
          JOIN payments.scheduled_payment sp USING (payment_id)
         WHERE l.contract_id IN (SELECT contract_id FROM run_chunk)
           AND l.status = 'payable' AND sp.status = 'finalised'
         GROUP BY l.contract_id, l.source_key
    ), holds AS (
        SELECT h.contract_id, h.source_key, h.excl_vat
          FROM payments.payment_line h
          JOIN payments.scheduled_payment sp USING (payment_id)
         WHERE h.contract_id IN (SELECT contract_id FROM run_chunk)
           AND h.status = 'held' AND sp.status = 'finalised'
           AND NOT EXISTS (SELECT 1 FROM payments.decision_request r
                            WHERE r.request_id = h.dispute_request_id AND r.status IN ('rejected', 'withdrawn'))
           AND NOT EXISTS (SELECT 1 FROM payments.payment_line later
                             JOIN payments.scheduled_payment lsp USING (payment_id)
                            WHERE later.contract_id = h.contract_id AND later.source_key = h.source_key
                              AND later.status = 'payable' AND lsp.status = 'finalised'
                              AND lsp.finalised_at > sp.finalised_at)
    )
    -- VAT: what is owed on the amount now less the VAT paid (not VAT on the difference, which rounded
    -- apart: a period's VAT is then the VAT on its corrected amount, to the penny)
    SELECT o.*, d.excl_vat, round(o.amount * rc.vat_rate, 2) - coalesce(p.vat, 0) AS vat,
           o.service_start < rc.start_date AND o.source <> 'claim' AS adjustment,
           rc.authority_id, rc.organisation_id,
           k.po_client, k.po_service, po.purchase_order_id
      FROM run_owed o
      JOIN run_chunk rc USING (contract_id)
      LEFT JOIN paid p USING (contract_id, source_key)
      CROSS JOIN LATERAL (SELECT o.amount - coalesce(p.excl_vat, 0) AS excl_vat) d
      -- the purchase order's key, as its unique index reads it (a claim's order has no client)
      CROSS JOIN LATERAL (
          SELECT CASE WHEN o.po_kind = 'client' THEN o.client_id ELSE rc.organisation_id END AS po_client,
                 CASE WHEN o.po_kind = 'client' THEN o.service_id ELSE rc.organisation_id END AS po_service) k
      -- the line's order where the authority has issued it already (a run after the year's first); the
      -- others are issued next (PURCHASE_ORDERS) and filled in (LINE_ORDERS)
      LEFT JOIN payments.purchase_order po
             ON po.authority_id = rc.authority_id AND po.organisation_id = rc.organisation_id
            AND po.kind = o.po_kind AND coalesce(po.client_id, po.organisation_id) = k.po_client
            AND coalesce(po.service_id, po.organisation_id) = k.po_service
            AND po.financial_year = o.financial_year
     WHERE d.excl_vat <> 0
       AND NOT EXISTS (SELECT 1 FROM holds h
                        WHERE h.contract_id = o.contract_id AND h.source_key = o.source_key
                          AND h.excl_vat = d.excl_vat)
"""

# Purchase orders the lines need and the authority has not issued yet: per client, service and year;
# one "One-Off Claims - <year>" per organisation and year.
PURCHASE_ORDERS = """
    INSERT INTO payments.purchase_order
           (purchase_order_id, authority_id, organisation_id, kind, number, client_id, service_id,
            contract_id, financial_year, issued_on)
    SELECT gen_random_uuid(), n.authority_id, n.organisation_id, n.po_kind,
           'PO-' || left(n.financial_year, 4) || '-'
               || lpad(nextval('payments.document_number')::text, 6, '0'),
           CASE WHEN n.po_kind = 'client' THEN n.po_client END,
           CASE WHEN n.po_kind = 'client' THEN n.po_service END,
           CASE WHEN n.po_kind = 'client' THEN n.contract_id END, n.financial_year, rc.today
      FROM (SELECT DISTINCT ON (authority_id, organisation_id, po_kind, po_client, po_service, financial_year)
                   authority_id, organisation_id, po_kind, po_client, po_service, financial_year, contract_id
              FROM run_lines
             WHERE purchase_order_id IS NULL
             ORDER BY authority_id, organisation_id, po_kind, po_client, po_service, financial_year,
                      contract_id) n
      JOIN run_chunk rc USING (contract_id)
     WHERE NOT EXISTS (
         SELECT 1 FROM payments.purchase_order po
          WHERE po.authority_id = n.authority_id AND po.organisation_id = n.organisation_id
            AND po.kind = n.po_kind
            AND coalesce(po.client_id, po.organisation_id) = n.po_client
            AND coalesce(po.service_id, po.organisation_id) = n.po_service
            AND po.financial_year = n.financial_year)
    ON CONFLICT DO NOTHING
"""

# The purchase order of each line that had none, found by its unique key (the index purchase_order_once).
LINE_ORDERS = """
    UPDATE run_lines l SET purchase_order_id = po.purchase_order_id
      FROM payments.purchase_order po
     WHERE l.purchase_order_id IS NULL
       AND po.authority_id = l.authority_id AND po.organisation_id = l.organisation_id
       AND po.kind = l.po_kind
       AND coalesce(po.client_id, po.organisation_id) = l.po_client
       AND coalesce(po.service_id, po.organisation_id) = l.po_service
       AND po.financial_year = l.financial_year
"""

# One payment per contract with lines (none: no payment), then its lines, in one statement: a payment
# another worker wrote meanwhile for the same period is left alone, and so are its lines.
PAYMENTS = """
    WITH totals AS (
        SELECT contract_id, sum(excl_vat) AS excl_vat, sum(vat) AS vat FROM run_lines GROUP BY contract_id
    ), written AS (
        INSERT INTO payments.scheduled_payment
               (payment_id, authority_id, organisation_id, contract_id, period_id, run_id, status, excl_vat,
                vat, total)
        SELECT gen_random_uuid(), rc.authority_id, rc.organisation_id, rc.contract_id, rc.period_id,
               rc.run_id, 'unconfirmed', t.excl_vat, t.vat, t.excl_vat + t.vat
          FROM totals t JOIN run_chunk rc USING (contract_id)
        ON CONFLICT (period_id) DO NOTHING
        RETURNING payment_id, contract_id
    )
    INSERT INTO payments.payment_line
           (line_id, payment_id, authority_id, organisation_id, contract_id, source, source_key, client_id,
            purchase_order_id, week_id, cost_code, service_start, service_end, adjustment, excl_vat, vat,
            total)
    SELECT gen_random_uuid(), w.payment_id, l.authority_id, l.organisation_id, l.contract_id, l.source,
           l.source_key, l.client_id, l.purchase_order_id, l.week_id, l.cost_code, l.service_start,
           l.service_end, l.adjustment, l.excl_vat, l.vat, l.excl_vat + l.vat
      FROM run_lines l
      JOIN written w USING (contract_id)
"""


async def compute_chunk(
    conn: asyncpg.Connection,
    *,
    run_id: uuid.UUID,
    authority_id: uuid.UUID,
    frequency: str,
    period_start: date,
    after: uuid.UUID,
    size: int,
    year_start: date,
    today: date,
) -> tuple[int, uuid.UUID | None]:
    """Write the payments of the next `size` contracts after `after` (within the caller's transaction);
    answers how many contracts were taken and the last one's id (None: none were left)."""
    await conn.execute(CHUNK_TABLE)
    await conn.execute(
        TAKE_CHUNK, run_id, authority_id, frequency, period_start, after, size, year_start, today
    )
    taken, last = await conn.fetchrow("SELECT count(*)::int, max(contract_id::text)::uuid FROM run_chunk")
    if taken:
        # Temporary tables have no statistics until analysed: without them the planner guesses a
        # handful of rows and joins thousands by nested loops. Only the columns the next statements join
        # or filter on: every column's statistics cost 100-200 ms a chunk. (Without purchase_order_id's,
        # LINE_ORDERS guessed a few lines without an order and ran for minutes when all had none.)
        await conn.execute("ANALYZE run_chunk")
        await conn.execute(OWED)
        await conn.execute("ANALYZE run_owed (contract_id)")
        await conn.execute(LINES)
        await conn.execute("ANALYZE run_lines (contract_id, purchase_order_id)")
        for statement in (PURCHASE_ORDERS, LINE_ORDERS, PAYMENTS):
            await conn.execute(statement)
        # Every new payment's full state, for reports (set-based: one statement for the chunk).
        await payment_states.publish_chunk_states(conn, run_id=run_id)
    await conn.execute("DROP TABLE IF EXISTS run_chunk, run_owed, run_lines")
    return taken, last
