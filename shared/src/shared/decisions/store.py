"""The SQL of request and decide: one service's `decision_request` table (platform migration
DECISION_REQUESTS, in the service's schema). Keyword-only, scoped by the caller (shared.store), and
returning `DecisionRequest` records. Kind names come from code, never from a request."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
from pydantic_core import to_jsonable_python

from shared.db import ident
from shared.decisions.model import DecisionRequest, Status
from shared.scoping import Columns
from shared.store import AnyScope, Unscoped, fetch, fetch_one

# Where the table keeps its scoping ids: contract- and service-scoped users see only what lies there.
COLUMNS = Columns(contract="contract_id", service="service_id")
SELECTED = (
    "request_id, authority_id, organisation_id, contract_id, service_id, kind, subject, status,"
    " requested_by, decided_by, reason, payload, outcome, revision, created_at, decided_at, updated_at"
)


class RequestTable:
    def __init__(self, schema: str) -> None:
        self.table = f"{ident(schema)}.decision_request"

    async def add(
        self,
        *,
        conn: asyncpg.Connection,
        authority_id: uuid.UUID,
        organisation_id: uuid.UUID,
        contract_id: uuid.UUID | None,
        service_id: uuid.UUID | None,
        kind: str,
        subject: str | None,
        exclusive: bool,
        requested_by: str,
        payload: Mapping[str, Any],
    ) -> DecisionRequest | None:
        """A pending request; None when the kind is exclusive and one for the subject is pending."""
        return await fetch_one(
            conn,
            DecisionRequest,
            f"""
            INSERT INTO {self.table} (request_id, authority_id, organisation_id, contract_id, service_id,
                kind, subject, exclusive, requested_by, payload)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (organisation_id, subject) WHERE status = 'pending' AND exclusive DO NOTHING
            RETURNING {SELECTED}
            """,
            uuid.uuid4(),
            authority_id,
            organisation_id,
            contract_id,
            service_id,
            kind,
            subject,
            exclusive,
            requested_by,
            to_jsonable_python(payload),
            scope=Unscoped("a new row: its authority and organisation are the verified caller's"),
        )

    async def get(
        self,
        *,
        conn: asyncpg.Connection,
        scope: AnyScope,
        request_id: uuid.UUID,
        kinds: Sequence[str],
        for_update: bool = False,
    ) -> DecisionRequest | None:
        """The request if it is one of `kinds` and within `scope` (locked for a decision: for_update)."""
        lock = " FOR UPDATE" if for_update else ""
        return await fetch_one(
            conn,
            DecisionRequest,
            f"SELECT {SELECTED} FROM {self.table} WHERE request_id = $1 AND kind = ANY($2::text[])"
            f" AND {{scope}}{lock}",
            request_id,
            list(kinds),
            scope=scope,
        )

    async def page(
        self,
        *,
        conn: asyncpg.Connection,
        scope: AnyScope,
        kinds: Sequence[str],
        status: Status | None,
        limit: int | None,
        offset: int,
    ) -> list[DecisionRequest]:
        """Requests of `kinds` within `scope` (optionally of one status), newest first."""
        return await fetch(
            conn,
            DecisionRequest,
            f"SELECT {SELECTED} FROM {self.table}"
            " WHERE kind = ANY($1::text[]) AND ($2::text IS NULL OR status = $2) AND {scope}"
            " ORDER BY created_at DESC, request_id LIMIT $3 OFFSET $4",
            list(kinds),
            status.value if status else None,
            limit,
            offset,
            scope=scope,
        )

    async def decide(
        self,
        *,
        conn: asyncpg.Connection,
        scope: AnyScope,
        request_id: uuid.UUID,
        status: Status,
        reason: str | None,
        decided_by: str,
        outcome: Mapping[str, Any],
    ) -> DecisionRequest | None:
        """Approve, reject or withdraw a pending request (None if it is not pending or not in scope);
        `outcome` is added to what the request records of its approval."""
        return await fetch_one(
            conn,
            DecisionRequest,
            f"""
            UPDATE {self.table}
               SET status = $2, reason = $3, decided_by = $4, outcome = outcome || $5::jsonb,
                   decided_at = now(), updated_at = now(), revision = revision + 1
             WHERE request_id = $1 AND status = 'pending' AND {{scope}}
            RETURNING {SELECTED}
            """,
            request_id,
            status.value,
            reason,
            decided_by,
            to_jsonable_python(outcome),
            scope=scope,
        )
