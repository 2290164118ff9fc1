"""What every table of requests a council decides shares: read one, list them, record the decision.

Contact requests and organisation change requests have the same life (pending, then approved or rejected
with a reason, by someone, at a time, with a revision for the event) and differ only in their details.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from identity.store.contracts import within_scope


class DecidedRequests:
    def __init__(
        self, table: str, columns: str, *, decision_columns: tuple[str, ...] = (), scoped: bool = False
    ) -> None:
        """`table` in the identity schema; `columns` it returns; `decision_columns`, set with a decision
        besides status, reason and decider (names from code, never from a request); `scoped` when its
        rows ask for access in a scope (scope_type, scope_id columns)."""
        self.table = f"identity.{table}"
        self.columns = columns
        self.decision_columns = decision_columns
        self.scoped = scoped

    async def get(
        self,
        *,
        conn: asyncpg.Connection,
        authority_id: uuid.UUID,
        request_id: uuid.UUID,
        for_update: bool = False,
    ) -> dict[str, Any] | None:
        """The request, if it is the authority's."""
        lock = " FOR UPDATE" if for_update else ""
        row = await conn.fetchrow(
            f"SELECT {self.columns} FROM {self.table} WHERE authority_id = $1 AND request_id = $2{lock}",
            authority_id,
            request_id,
        )
        return dict(row) if row else None

    async def list_by_authority(
        self,
        *,
        conn: asyncpg.Connection,
        authority_id: uuid.UUID,
        organisation_id: uuid.UUID | None,
        status: str | None,
        limit: int,
        offset: int,
        within: tuple[str, uuid.UUID | None] = ("organisation", None),
    ) -> list[dict[str, Any]]:
        """Requests of the authority (or one organisation), newest first; on a table with a scope, only
        those for access within `within` (scope type and id: a contract or service Admin's)."""
        params: list[Any] = [authority_id, organisation_id, status]
        scoped = ""
        if self.scoped:
            scoped = " AND " + within_scope(
                type_col="scope_type", id_col="scope_id", type_param=4, id_param=5
            )
            params += within
        rows = await conn.fetch(
            f"""
            SELECT {self.columns} FROM {self.table}
             WHERE authority_id = $1 AND ($2::uuid IS NULL OR organisation_id = $2)
               AND ($3::text IS NULL OR status = $3){scoped}
             ORDER BY created_at DESC, request_id LIMIT ${len(params) + 1} OFFSET ${len(params) + 2}
            """,
            *params,
            limit,
            offset,
        )
        return [dict(r) for r in rows]

    async def decide(
        self,
        *,
        conn: asyncpg.Connection,
        request_id: uuid.UUID,
        status: str,
        reason: str | None,
        decided_by: str,
        **decision: Any,
    ) -> dict[str, Any]:
        """Approve or reject a pending request; `decision` holds the values of `decision_columns`."""
        if set(decision) != set(self.decision_columns):
            raise ValueError(
                f"a decision on {self.table} sets {self.decision_columns}, not {sorted(decision)}"
            )
        extra = "".join(f", {column} = ${n}" for n, column in enumerate(self.decision_columns, start=5))
        row = await conn.fetchrow(
            f"""
            UPDATE {self.table}
               SET status = $2, reason = $3, decided_by = $4, decided_at = now(), revision = revision + 1,
                   updated_at = now(){extra}
             WHERE request_id = $1 AND status = 'pending'
            RETURNING {self.columns}
            """,
            request_id,
            status,
            reason,
            decided_by,
            *(decision[column] for column in self.decision_columns),
        )
        assert row is not None
        return dict(row)
