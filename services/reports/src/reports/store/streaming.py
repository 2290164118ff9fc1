"""What every report query shares (reports.store.sources): rows streamed from a server-side cursor a batch
at a time, filtered by the run's authority (`{scope}`); the run's and the chosen organisation; the payment
methods; the labels the reports print."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg

from shared.store import AuthorityScope, scoped_sql

BATCH = 500  # rows fetched per round trip of the cursor

RowSource = Callable[..., AsyncIterator[dict[str, Any]]]

# A payment method's name, as the parameters form offers it, and the contracts' schedule it names.
PAYMENT_METHODS: dict[str, str] = {
    "Scheduled Weekly Net": "weekly",
    "Scheduled 4 Weekly Net": "four_weekly",
}
# What a foster carer pays tax on: one-off claim items; the care allowances (planned or actuals lines)
# are covered by qualifying care relief.
TAXABLE_SOURCES = ("claim",)
SOURCE_LABELS = {"planned": "Commissioned care", "actuals": "Care delivered", "claim": "One-off claim"}


async def stream(
    conn: asyncpg.Connection, sql: str, args: tuple[Any, ...], *, authority_id: uuid.UUID, column: str
) -> AsyncIterator[dict[str, Any]]:
    """The rows of `sql` (its `{scope}` the run's authority on `column`), a batch at a time."""
    query, params = scoped_sql(sql, args, AuthorityScope(authority_id, column=column))
    async with conn.transaction():  # a cursor needs one: a savepoint inside the render's
        async for record in conn.cursor(query, *params, prefetch=BATCH):
            yield dict(record)


def organisations(organisation_id: uuid.UUID | None, params: dict[str, Any]) -> tuple[Any, Any]:
    """The run's organisation (a provider's run) and the one chosen: both must match a row."""
    return organisation_id, params.get("organisation_id")


def frequency(params: dict[str, Any]) -> str | None:
    method = params.get("payment_method")
    if method is None:
        return None
    try:
        return PAYMENT_METHODS[method]
    except KeyError:
        raise ValueError(f"no payment method called {method!r}") from None
