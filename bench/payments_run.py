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
from bench.payments_run_sql import BUILD, FLOOR, FLOOR_WRITE
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
