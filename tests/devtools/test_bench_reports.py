"""`make bench-reports`' data (bench/reports_remittance.py): the remittances seeded in the read model in
SQL are the lines the floor lays out from its in-memory list, as the report's own source reads them and
as the PDF shows them: so the floor and ours print the same table. (The benchmark itself starts a stack
and worker processes: `--quick` runs it whole in under a minute; not a test, it measures.)"""

from __future__ import annotations

import uuid

from bench import reports_remittance as remittance
from reports.domain import parameters
from reports.domain.catalogue import REMITTANCE_ADVICE
from reports.rendering.cells import shown
from reports.store import sources
from shared import db
from tests.support.environment import RunEnvironment

LINES = 40


async def test_the_seeded_remittance_is_the_floors_list_as_the_source_reads_it(env: RunEnvironment):
    authority_id = uuid.uuid4()
    pool = await db.create_pool(env.dsn("reports"), min_size=1, max_size=2)
    try:
        provider = await remittance.seed_provider(pool, authority_id, remittances=2, lines=LINES)
        given = remittance.parameters(provider, 1)  # the second week's remittance
        params = parameters.parse(REMITTANCE_ADVICE, given)
        source = sources.SOURCES[remittance.REPORT]
        async with pool.acquire() as conn:
            rows = [
                row
                async for row in source(
                    conn, authority_id=authority_id, organisation_id=provider.organisation_id, params=params
                )
            ]
            totals = await conn.fetchrow(
                "SELECT excl_vat, vat, total FROM reports.remittance WHERE contract_id = $1 AND period_start = $2",
                provider.contract_id,
                remittance.period(1),
            )
            # Another authority's run finds nothing of it.
            assert [
                row
                async for row in source(conn, authority_id=uuid.uuid4(), organisation_id=None, params=params)
            ] == []
    finally:
        await pool.close()

    expected = [remittance.line(n, 1) for n in range(1, LINES + 1)]
    # Each row also carries its remittance's heading fields (the document's heading block): the lines'
    # own columns are what the floor lays out.
    assert [{key: row[key] for key in expected[0]} for row in rows] == expected
    assert {r["service"] for r in rows} == set(remittance.SOURCE_LABELS.values())
    assert any(r["vat"] > 0 for r in rows) and any(r["quantity"] > 1 for r in rows)
    assert (totals["excl_vat"], totals["vat"], totals["total"]) == tuple(
        sum(r[key] for r in expected) for key in ("net", "vat", "gross")
    )
    # The floor's cells are what the PDF shows for the same lines (week 0's dates).
    shown_cells = [
        [shown(c, remittance.line(n)[c.key]) for c in REMITTANCE_ADVICE.columns] for n in range(1, LINES + 1)
    ]
    assert remittance.floor_rows(LINES) == shown_cells
