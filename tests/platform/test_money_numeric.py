"""Money in PostgreSQL: `numeric(12,2)` and `numeric(12,4)` columns give back, through asyncpg, the very
Decimals written (places included), at the limits too; the database's own rounding and sums agree with
`shared.money`."""

from __future__ import annotations

from decimal import Decimal

from shared.money import MONEY_SQL, RATE_SQL, line_total, to_money, to_rate, to_units, total
from tests.support.kit_schema import kit_schema

AMOUNTS = ["58.05", "353.08", "303.03", "-37.03", "0.00", "0.01", "9999999999.99", "-9999999999.99"]
RATES = ["0.3870", "17.0050", "14.8100", "-0.0050", "0.0001", "99999999.9999"]


async def test_money_and_rates_round_trip_unchanged(env):
    async with kit_schema(env) as kit:
        table = f"{kit.schema}.money_round_trip"
        await kit.pool.execute(
            f"CREATE TABLE {table} (n int PRIMARY KEY, amount {MONEY_SQL}, rate {RATE_SQL})"
        )
        written = [
            (n, to_money(a), to_rate(r))
            for n, (a, r) in enumerate(zip(AMOUNTS, RATES + RATES[:2], strict=True))
        ]
        await kit.pool.executemany(f"INSERT INTO {table} VALUES ($1, $2, $3)", written)
        rows = await kit.pool.fetch(f"SELECT n, amount, rate FROM {table} ORDER BY n")
        read = [(r["n"], r["amount"], r["rate"]) for r in rows]
        sql_total = await kit.pool.fetchval(f"SELECT sum(amount) FROM {table} WHERE n < 3")
    assert read == written
    assert all(isinstance(amount, Decimal) and isinstance(rate, Decimal) for _, amount, rate in read)
    # Equal as Decimals is not enough: 58.05 must not come back as 58.050 or 58.1 as 58.1.
    assert [(str(a), str(r)) for _, a, r in read] == [(str(a), str(r)) for _, a, r in written]
    assert sql_total == total(AMOUNTS[:3]) == Decimal("714.16")


async def test_postgresql_rounds_a_line_as_line_total_does(env):
    lines = [("150", "0.3870"), ("2.5", "17.0050"), ("2.5", "14.8100"), ("-2.5", "14.8100"), ("1", "0.0050")]
    async with kit_schema(env) as kit:
        in_sql = [
            await kit.pool.fetchval(
                f"SELECT round($1::numeric * $2::{RATE_SQL}, 2)::{MONEY_SQL}", to_units(u), to_rate(r)
            )
            for u, r in lines
        ]
    assert in_sql == [line_total(u, r) for u, r in lines]
    assert [str(v) for v in in_sql] == ["58.05", "42.51", "37.03", "-37.03", "0.01"]
