"""A payment run over 50,000 CPLIs and their confirmed weeks for one period: `uv run python -m bench.payments_run`.

In one run, on an isolated database (tests/support/environment, removed at the end), one authority with
2,000 contracts of 25 CPLIs each (50,000): half pay on planned (a tenth of the CPLIs starting mid-week,
paid by days), half on actuals with the period's week confirmed (one line per CPLI); a fifth VAT
registered at 20%. Each round deletes the run, its payments and purchase orders, then, interleaved:
- floor: one SQL aggregate over the same data: the same lines' amounts (planned cost x days / 7 to the
         penny, the confirmed lines) and their VAT per line, summed; nothing written;
- floor_write: one INSERT of the same payments and lines from the same SQL (a data-modifying WITH), on
         the purchase orders already issued: what writing them costs at least (no ledger of what was paid,
         no adjustments, no claims, no chunks, no job);
- ours:  `payments.handlers.runs.start_run` as the API calls it, then `compute_run` as the worker does:
         chunks of 500 contracts, owed minus paid in set-based SQL, purchase orders, payments and lines
         written, the job's progress;
- naive: the same payments computed per contract in Python (each contract's CPLIs or lines read, each
         amount and its VAT worked out with shared.money), one purchase order upsert and one INSERT per
         line.
Every round checks that the three totals are equal to the penny. The purchase orders (one per client and
service, 50,000) are issued by a first run before the rounds, as the year's first run issues them; with
`--fresh-orders` every round issues them again.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import asyncpg

from bench.common import add_scenario_options, machine, parse, run_main
from payments.domain.periods import financial_year, vat_of
from payments.handlers.runs import RunIn, compute_run, start_run
from shared import db
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.bus import Outbox
from shared.uow import Actor, Caller, Work
from tests.support.environment import RunEnvironment, new_run_id

SCENARIOS = ("floor", "floor_write", "ours", "naive")
GOAL_RATIO = 2.0  # ours at most twice the floor
GOAL_SECONDS = 3.0
PERIOD = date(2019, 9, 30)  # a Monday
TODAY = date(2019, 12, 1)  # the period's amendment and finalisation dates have passed
PENNY = Decimal("0.01")

BUILD = """
INSERT INTO payments.organisation (organisation_id, authority_id, name, reference, active, revision, updated_at)
VALUES ($2, $1, 'Bench provider', 'SUP-BENCH', true, 1, now());

INSERT INTO payments.contract
       (contract_id, authority_id, organisation_id, reference, name, payment_basis, frequency, pays_frustrated,
        pays_extras, vat_registered, start_date, end_date, active, revision, updated_at)
SELECT md5('contract' || n)::uuid, $1, $2, 'C-' || lpad(n::text, 5, '0'), 'Contract ' || n,
       CASE WHEN n % 2 = 0 THEN 'planned' ELSE 'actuals' END, 'weekly', true, true, n % 5 = 0, $4, NULL, true,
       1, now()
  FROM generate_series(1, $3) n;

INSERT INTO payments.provider_service
       (service_id, authority_id, organisation_id, contract_id, reference, name, active, revision, updated_at)
SELECT md5('service' || n)::uuid, $1, $2, md5('contract' || n)::uuid, 'S-' || n, 'Service ' || n, true, 1, now()
  FROM generate_series(1, $3) n;

INSERT INTO payments.client (client_id, authority_id, reference, name, revision, updated_at)
SELECT md5('client' || n || ':' || k)::uuid, $1, 'C' || n || ':' || k, 'Client ' || n || ':' || k, 1, now()
  FROM generate_series(1, $3) n, generate_series(1, $5) k;

INSERT INTO payments.cpli
       (cpli_id, authority_id, organisation_id, contract_id, service_id, client_id, client_reference,
        service_level_id, reference, care_package_ref, start_date, end_date, cost, frequency, authorised,
        revision, updated_at)
SELECT md5('cpli' || n || ':' || k)::uuid, $1, $2, md5('contract' || n)::uuid, md5('service' || n)::uuid,
       md5('client' || n || ':' || k)::uuid, 'C' || n || ':' || k, md5('level')::uuid, 'CPLI-' || n || ':' || k,
       'M1', CASE WHEN k % 10 = 0 THEN $6::date + 3 ELSE $4 END, NULL,
       (100 + ((n * 31 + k * 17) % 90000) / 100.0)::numeric(12, 2), 'Weekly', true, 1, now() - interval '1 day'
  FROM generate_series(1, $3) n, generate_series(1, $5) k;

INSERT INTO payments.schedule
       (contract_id, authority_id, organisation_id, frequency, anchor_date, amendment_days, finalisation_days,
        pay_days, vat_rate)
SELECT md5('contract' || n)::uuid, $1, $2, 'weekly', $6, 2, 4, 9, CASE WHEN n % 5 = 0 THEN 0.2 ELSE 0 END
  FROM generate_series(1, $3) n;

INSERT INTO payments.period
       (period_id, authority_id, organisation_id, contract_id, start_date, end_date, last_amendment_date,
        finalisation_date, pay_date)
SELECT gen_random_uuid(), $1, $2, md5('contract' || n)::uuid, $6, $6::date + 6, $6::date + 8, $6::date + 10,
       $6::date + 15
  FROM generate_series(1, $3) n;

INSERT INTO payments.confirmed_week
       (week_id, authority_id, organisation_id, contract_id, service_id, week_commencing, payment_basis, total,
        confirmed, confirmed_by, confirmed_at, revision)
SELECT md5('week' || n)::uuid, $1, $2, md5('contract' || n)::uuid, md5('service' || n)::uuid, $6, 'actuals', 0,
       true, 'bench', now(), 1
  FROM generate_series(1, $3) n WHERE n % 2 = 1;

INSERT INTO payments.confirmed_line (week_id, line_id, cpli_id, client_id, client_reference, service_level_id, total)
SELECT md5('week' || n)::uuid, md5('line' || n || ':' || k)::uuid, md5('cpli' || n || ':' || k)::uuid,
       md5('client' || n || ':' || k)::uuid, 'C' || n || ':' || k, md5('level')::uuid,
       (80 + ((n * 13 + k * 7) % 50000) / 100.0)::numeric(12, 2)
  FROM generate_series(1, $3) n, generate_series(1, $5) k WHERE n % 2 = 1;
"""

FLOOR = """
WITH line AS (
    SELECT s.contract_id, s.vat_rate,
           round(c.cost * ((least(p.end_date, coalesce(c.end_date, p.end_date))
                            - greatest(p.start_date, c.start_date)) + 1) / 7, 2) AS excl
      FROM payments.schedule s
      JOIN payments.period p ON p.contract_id = s.contract_id AND p.start_date = $2
      JOIN payments.contract k ON k.contract_id = s.contract_id AND k.payment_basis = 'planned'
      JOIN payments.cpli c ON c.contract_id = s.contract_id AND c.authorised AND c.start_date <= p.end_date
                          AND (c.end_date IS NULL OR c.end_date >= p.start_date)
     WHERE s.authority_id = $1 AND s.frequency = 'weekly'
    UNION ALL
    SELECT s.contract_id, s.vat_rate, l.total
      FROM payments.schedule s
      JOIN payments.period p ON p.contract_id = s.contract_id AND p.start_date = $2
      JOIN payments.contract k ON k.contract_id = s.contract_id AND k.payment_basis = 'actuals'
      JOIN payments.confirmed_week w ON w.contract_id = s.contract_id AND w.confirmed AND w.week_commencing <= p.end_date
      JOIN payments.confirmed_line l ON l.week_id = w.week_id
     WHERE s.authority_id = $1 AND s.frequency = 'weekly'
)
SELECT count(*)::int AS lines, coalesce(sum(excl + round(excl * vat_rate, 2)), 0) AS total FROM line
"""


FLOOR_WRITE = """
WITH line AS (
    SELECT s.contract_id, p.period_id, s.vat_rate, 'planned' AS source,
           'planned:' || c.cpli_id || ':' || p.start_date AS source_key, c.client_id, c.service_id,
           NULL::uuid AS week_id, greatest(p.start_date, c.start_date) AS first, p.end_date AS last,
           round(c.cost * ((least(p.end_date, coalesce(c.end_date, p.end_date))
                            - greatest(p.start_date, c.start_date)) + 1) / 7, 2) AS excl
      FROM payments.schedule s
      JOIN payments.period p ON p.contract_id = s.contract_id AND p.start_date = $2
      JOIN payments.contract k ON k.contract_id = s.contract_id AND k.payment_basis = 'planned'
      JOIN payments.cpli c ON c.contract_id = s.contract_id AND c.authorised AND c.start_date <= p.end_date
                          AND (c.end_date IS NULL OR c.end_date >= p.start_date)
     WHERE s.authority_id = $1 AND s.frequency = 'weekly'
    UNION ALL
    SELECT s.contract_id, p.period_id, s.vat_rate, 'actuals', 'actuals:' || l.line_id, l.client_id, w.service_id,
           w.week_id, w.week_commencing, w.week_commencing + 6, l.total
      FROM payments.schedule s
      JOIN payments.period p ON p.contract_id = s.contract_id AND p.start_date = $2
      JOIN payments.contract k ON k.contract_id = s.contract_id AND k.payment_basis = 'actuals'
      JOIN payments.confirmed_week w ON w.contract_id = s.contract_id AND w.confirmed AND w.week_commencing <= p.end_date
      JOIN payments.confirmed_line l ON l.week_id = w.week_id
     WHERE s.authority_id = $1 AND s.frequency = 'weekly'
), paid AS (
    INSERT INTO payments.scheduled_payment
           (payment_id, authority_id, organisation_id, contract_id, period_id, run_id, status, excl_vat, vat, total)
    SELECT gen_random_uuid(), $1, $3, contract_id, period_id, $4, 'unconfirmed', sum(excl),
           sum(round(excl * vat_rate, 2)), sum(excl + round(excl * vat_rate, 2))
      FROM line GROUP BY contract_id, period_id
    RETURNING payment_id, contract_id
)
INSERT INTO payments.payment_line
       (line_id, payment_id, authority_id, organisation_id, contract_id, source, source_key, client_id,
        purchase_order_id, week_id, service_start, service_end, adjustment, excl_vat, vat, total)
SELECT gen_random_uuid(), paid.payment_id, $1, $3, line.contract_id, line.source, line.source_key, line.client_id,
       po.purchase_order_id, line.week_id, line.first, line.last, false, line.excl,
       round(line.excl * line.vat_rate, 2), line.excl + round(line.excl * line.vat_rate, 2)
  FROM line
  JOIN paid USING (contract_id)
  JOIN payments.purchase_order po ON po.authority_id = $1 AND po.kind = 'client' AND po.client_id = line.client_id
                                 AND po.service_id = line.service_id AND po.financial_year = $5
"""


class Bench:
    def __init__(
        self, pool: asyncpg.Pool, authority_id: uuid.UUID, organisation_id: uuid.UUID, *, fresh_orders: bool
    ) -> None:
        self.pool, self.authority_id, self.organisation_id = pool, authority_id, organisation_id
        self.fresh_orders = fresh_orders
        self.work = Work(pool, Outbox("payments"))
        principal = Principal(
            subject="bench-council",
            kind=PrincipalKind.council_client,
            authority_id=authority_id,
            organisation_id=None,
            role=Role.council,
            can_edit=True,
            scope_type=ScopeType.authority,
            scope_id=None,
        )
        self.caller = Caller(principal, Actor.of(principal, address="127.0.0.1", request_id=None))

    async def reset(self) -> None:
        async with self.pool.acquire() as conn:
            tables = ("scheduled_payment", "payment_run", "job") + (
                ("purchase_order",) if self.fresh_orders else ()
            )
            for table in tables:
                await conn.execute(f"DELETE FROM payments.{table} WHERE authority_id = $1", self.authority_id)
            for table in ("payment_line", "scheduled_payment", "purchase_order", "payment_run"):
                await conn.execute(f"VACUUM ANALYZE payments.{table}")

    async def floor(self) -> tuple[int, Decimal]:
        async with self.pool.acquire() as conn:
            found = await conn.fetchrow(FLOOR, self.authority_id, PERIOD)
        return found["lines"], found["total"]

    async def floor_write(self) -> tuple[int, Decimal]:
        run, _ = await start_run(
            self.caller, self.work, run=RunIn(frequency="weekly", period_start=PERIOD), today=TODAY
        )
        async with self.pool.acquire() as conn:
            await conn.execute(
                FLOOR_WRITE,
                self.authority_id,
                PERIOD,
                self.organisation_id,
                run["run_id"],
                financial_year(PERIOD),
            )
        return await self.written()

    async def ours(self) -> tuple[int, Decimal]:
        run, _ = await start_run(
            self.caller, self.work, run=RunIn(frequency="weekly", period_start=PERIOD), today=TODAY
        )
        run_id = run["run_id"]
        assert isinstance(run_id, uuid.UUID)
        assert await compute_run(self.work, run_id=run_id, today=TODAY)
        return await self.written()

    async def written(self) -> tuple[int, Decimal]:
        async with self.pool.acquire() as conn:
            found = await conn.fetchrow(
                "SELECT (SELECT count(*)::int FROM payments.payment_line WHERE authority_id = $1) AS lines,"
                " coalesce(sum(total), 0) AS total FROM payments.scheduled_payment WHERE authority_id = $1",
                self.authority_id,
            )
        return found["lines"], found["total"]

    async def naive(self) -> tuple[int, Decimal]:
        run, _ = await start_run(
            self.caller, self.work, run=RunIn(frequency="weekly", period_start=PERIOD), today=TODAY
        )
        async with self.pool.acquire() as conn, conn.transaction():
            contracts = await conn.fetch(
                "SELECT s.contract_id, s.vat_rate, k.payment_basis, p.period_id, p.start_date, p.end_date"
                " FROM payments.schedule s JOIN payments.contract k USING (contract_id)"
                " JOIN payments.period p ON p.contract_id = s.contract_id AND p.start_date = $2"
                " WHERE s.authority_id = $1 ORDER BY s.contract_id",
                self.authority_id,
                PERIOD,
            )
            for contract in contracts:
                await self._naive_contract(conn, contract, run["run_id"])
            await conn.execute(
                "UPDATE payments.payment_run SET status = 'computed' WHERE run_id = $1", run["run_id"]
            )
        return await self.written()

    async def _naive_contract(
        self, conn: asyncpg.Connection, contract: asyncpg.Record, run_id: object
    ) -> None:
        start, end = contract["start_date"], contract["end_date"]
        lines = []
        if contract["payment_basis"] == "planned":
            for c in await conn.fetch(
                "SELECT cpli_id, client_id, service_id, start_date, end_date, cost FROM payments.cpli"
                " WHERE contract_id = $1 AND authorised",
                contract["contract_id"],
            ):
                first, last = max(start, c["start_date"]), min(end, c["end_date"] or end)
                if last < first:
                    continue
                excl = (c["cost"] * ((last - first).days + 1) / 7).quantize(PENNY, rounding=ROUND_HALF_UP)
                lines.append(
                    (
                        "planned",
                        f"planned:{c['cpli_id']}:{start}",
                        c["client_id"],
                        c["service_id"],
                        None,
                        first,
                        last,
                        excl,
                    )
                )
        else:
            for line in await conn.fetch(
                "SELECT l.line_id, l.client_id, w.service_id, w.week_id, w.week_commencing, l.total"
                " FROM payments.confirmed_week w JOIN payments.confirmed_line l USING (week_id)"
                " WHERE w.contract_id = $1 AND w.confirmed AND w.week_commencing <= $2",
                contract["contract_id"],
                end,
            ):
                wc = line["week_commencing"]
                lines.append(
                    (
                        "actuals",
                        f"actuals:{line['line_id']}",
                        line["client_id"],
                        line["service_id"],
                        line["week_id"],
                        wc,
                        wc + timedelta(days=6),
                        line["total"],
                    )
                )
        if not lines:
            return
        vats = [vat_of(line[7], contract["vat_rate"]) for line in lines]
        excl_total = sum((line[7] for line in lines), Decimal("0.00"))
        vat_total = sum(vats, Decimal("0.00"))
        payment_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO payments.scheduled_payment (payment_id, authority_id, organisation_id, contract_id, period_id,"
            " run_id, status, excl_vat, vat, total) VALUES ($1, $2, $3, $4, $5, $6, 'unconfirmed', $7, $8, $9)",
            payment_id,
            self.authority_id,
            self.organisation_id,
            contract["contract_id"],
            contract["period_id"],
            run_id,
            excl_total,
            vat_total,
            excl_total + vat_total,
        )
        for (source, key, client_id, service_id, week_id, first, last, excl), vat in zip(
            lines, vats, strict=True
        ):
            year = financial_year(first)
            po_id = await conn.fetchval(
                """
                INSERT INTO payments.purchase_order
                       (purchase_order_id, authority_id, organisation_id, kind, number, client_id, service_id,
                        contract_id, financial_year, issued_on)
                VALUES (gen_random_uuid(), $1, $2, 'client', 'PO-N-' || gen_random_uuid(), $3, $4, $5, $6, $7)
                ON CONFLICT (authority_id, organisation_id, kind, coalesce(client_id, organisation_id),
                             coalesce(service_id, organisation_id), financial_year)
                DO UPDATE SET issued_on = payments.purchase_order.issued_on
                RETURNING purchase_order_id
                """,
                self.authority_id,
                self.organisation_id,
                client_id,
                service_id,
                contract["contract_id"],
                year,
                TODAY,
            )
            await conn.execute(
                "INSERT INTO payments.payment_line (line_id, payment_id, authority_id, organisation_id, contract_id,"
                " source, source_key, client_id, purchase_order_id, week_id, service_start, service_end, adjustment,"
                " excl_vat, vat, total) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
                " false, $12, $13, $14)",
                payment_id,
                self.authority_id,
                self.organisation_id,
                contract["contract_id"],
                source,
                key,
                client_id,
                po_id,
                week_id,
                first,
                last,
                excl,
                vat,
                excl + vat,
            )


async def run(args: argparse.Namespace) -> str:
    if args.fresh_orders:  # floor_write pays on the orders already issued: none in that mode
        args.scenarios = [name for name in args.scenarios if name != "floor_write"]
    env = RunEnvironment(run_id=new_run_id())
    about = await machine()
    await env.create()
    try:
        authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
        conn = await db.connect(env.dsn("payments"))
        try:
            for statement in BUILD.split(";\n"):
                if statement.strip():
                    sql, values = _build_args(
                        statement, authority_id, organisation_id, args.contracts, args.cplis_per_contract
                    )
                    await conn.execute(sql, *values)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        pool = await db.create_pool(env.dsn("payments"))
        try:
            bench = Bench(pool, authority_id, organisation_id, fresh_orders=args.fresh_orders)
            # The year's first run issues the purchase orders (one per client and service); the rounds are
            # the runs after it, unless --fresh-orders.
            await bench.ours()
            times: dict[str, list[float]] = {name: [] for name in args.scenarios}
            totals: dict[str, tuple[int, Decimal]] = {}
            for _ in range(args.rounds):
                for name in args.scenarios:
                    await bench.reset()
                    started = time.perf_counter()
                    made = await getattr(bench, name)()
                    times[name].append(time.perf_counter() - started)
                    totals[name] = made
                    assert made == next(iter(totals.values())), f"{name}: {made} differs from {totals}"
            await bench.reset()
        finally:
            await pool.close()
    finally:
        await env.destroy()
    return report(args, about, times, totals)


def _build_args(
    statement: str, authority_id: uuid.UUID, organisation_id: uuid.UUID, contracts: int, per_contract: int
) -> tuple[str, list[object]]:
    """A statement of BUILD with only the parameters it names ($1 authority ... $6 period), renumbered."""
    values: list[object] = [
        authority_id,
        organisation_id,
        contracts,
        PERIOD - timedelta(days=30),
        per_contract,
        PERIOD,
    ]
    used = [n for n in range(1, 7) if f"${n}" in statement]
    for new, old in enumerate(used, start=1):
        statement = statement.replace(f"${old}", f"$@{new}")
    return statement.replace("$@", "$"), [values[n - 1] for n in used]


def report(
    args: argparse.Namespace,
    about: str,
    times: dict[str, list[float]],
    totals: dict[str, tuple[int, Decimal]],
) -> str:
    medians = {name: statistics.median(values) for name, values in times.items()}
    cplis = args.contracts * args.cplis_per_contract
    out = [
        f"Payment run, {args.contracts:,} contracts, {cplis:,} CPLIs (half planned, half confirmed actuals),"
        f" {args.rounds} rounds (median [lowest-highest]),"
        f" {'purchase orders issued in every round' if args.fresh_orders else 'purchase orders already issued'}",
        about,
        "",
        "| path | ms | lines | total |",
        "|---|---:|---:|---:|",
    ]
    for name, values in times.items():
        lines, total = totals[name]
        out.append(
            f"| {name} | {medians[name] * 1000:,.0f} [{min(values) * 1000:,.0f}-{max(values) * 1000:,.0f}]"
            f" | {lines:,} | {total:,} |"
        )
    out.append(f"\ntotals equal to the penny in every round: {len(set(totals.values())) == 1}")
    if "ours" in medians:
        out.append(
            f"ours: {medians['ours']:.2f} s (goal < {GOAL_SECONDS:.0f} s: {'met' if medians['ours'] < GOAL_SECONDS else 'NOT met'})"
        )
    if "ours" in medians and "floor" in medians:
        ratio = medians["ours"] / medians["floor"]
        out.append(
            f"ours / floor = {ratio:.2f} (goal <= {GOAL_RATIO:.0f}: {'met' if ratio <= GOAL_RATIO else 'NOT met'})"
        )
    if "ours" in medians and "floor_write" in medians:
        out.append(f"ours / floor_write = {medians['ours'] / medians['floor_write']:.2f}")
    if "ours" in medians and "naive" in medians:
        out.append(f"naive / ours = {medians['naive'] / medians['ours']:.1f}x")
    return "\n".join(out)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.payments_run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--contracts", type=int, default=2000, help="contracts (2000), half planned, half actuals"
    )
    parser.add_argument("--cplis-per-contract", type=int, default=25, help="CPLIs of each contract (25)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every scenario, interleaved (3)")
    parser.add_argument(
        "--fresh-orders",
        action="store_true",
        help="issue every purchase order in every round (the year's first run), not once before the rounds",
    )
    add_scenario_options(parser, SCENARIOS, set_help="(unused)")
    return parse(parser, argv, SCENARIOS)


def main(argv: Sequence[str] | None = None) -> None:
    run_main(run, parse_args(argv))


if __name__ == "__main__":
    main()
