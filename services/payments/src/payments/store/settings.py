"""The council's words on its purchase orders (payments.council_settings, migration 0005): one row per
authority, read and written for the caller's authority only."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from shared.records import Record
from shared.store import AnyScope, AuthorityScope, fetch_one


class CouncilSettings(Record):
    payment_terms: str = ""
    invoice_address: str = ""
    delivery_address: str = ""
    version: int = 0
    updated_at: datetime | None = None


SELECTED = "payment_terms, invoice_address, delivery_address, version, updated_at"


async def get(conn: asyncpg.Connection, *, scope: AnyScope) -> CouncilSettings:
    """The authority's settings; all empty (version 0) while the council has set none."""
    found = await fetch_one(
        conn,
        CouncilSettings,
        f"SELECT {SELECTED} FROM payments.council_settings WHERE {{scope}}",
        scope=scope,
    )
    return found or CouncilSettings()


async def put(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    payment_terms: str,
    invoice_address: str,
    delivery_address: str,
    updated_by: str,
) -> CouncilSettings:
    found = await fetch_one(
        conn,
        CouncilSettings,
        f"""
        INSERT INTO payments.council_settings AS s
               (authority_id, payment_terms, invoice_address, delivery_address, updated_by)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (authority_id) DO UPDATE
           SET payment_terms = EXCLUDED.payment_terms, invoice_address = EXCLUDED.invoice_address,
               delivery_address = EXCLUDED.delivery_address, updated_by = EXCLUDED.updated_by,
               version = s.version + 1, updated_at = now()
         WHERE {{scope}}
        RETURNING {SELECTED}
        """,
        authority_id,
        payment_terms,
        invoice_address,
        delivery_address,
        updated_by,
        scope=AuthorityScope(authority_id, column="s.authority_id"),
    )
    assert found is not None
    return found


class Supplier(Record):
    name: str = ""
    reference: str = ""
    address: str | None = None
    postcode: str | None = None


async def supplier(conn: asyncpg.Connection, *, organisation_id: uuid.UUID) -> Supplier:
    """The organisation's name and reference, with the postal address identity last published for it
    (None while unknown). The caller passes the organisation of a row it has read in its own scope."""
    row = await conn.fetchrow(
        """
        SELECT o.name, o.reference, s.address, s.postcode
          FROM payments.organisation o
          LEFT JOIN payments.supplier s ON s.organisation_id = o.organisation_id
         WHERE o.organisation_id = $1
        """,
        organisation_id,
    )
    return Supplier.from_row(row) if row else Supplier()
