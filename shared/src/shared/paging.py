"""Paging of every list endpoint (docs/adr/0011-paging.md).

`?limit=` (default 50, at most 500: more is a 422 problem naming `limit`, never a silent clamp) and
`?offset=` (default 0). The body stays the JSON array it always was; while there is more, a
`Link: <...>; rel="next"` header (RFC 8288) points at the next page, relative to the request. Each list
is in a stable order that ends in a unique key, so walking the pages gives every row once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000

T = TypeVar("T")

LINK_HEADER = {
    "description": 'RFC 8288 link to the next page (rel="next"), present only while there is one',
    "schema": {"type": "string", "example": '</api/v1/identity/contacts?limit=50&offset=50>; rel="next"'},
}
# For a list route's decorator: documents the Link header in the OpenAPI.
PAGED: dict[int | str, dict[str, Any]] = {200: {"headers": {"Link": LINK_HEADER}}}


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int
    request: Request
    response: Response

    @property
    def fetch(self) -> int:
        """How many rows to ask the store for: one more than a page tells whether there is a next."""
        return self.limit + 1

    def of(self, rows: Sequence[T]) -> list[T]:
        """The page from rows fetched with `fetch` as the limit (and `offset`); sets the next link."""
        if len(rows) > self.limit:
            url = self.request.url.include_query_params(limit=self.limit, offset=self.offset + self.limit)
            self.response.headers["link"] = f'<{url.path}?{url.query}>; rel="next"'
        return list(rows[: self.limit])

    def cut(self, rows: Sequence[T]) -> list[T]:
        """The page of a list held whole in memory (a catalogue, a queue's few messages)."""
        return self.of(rows[self.offset : self.offset + self.fetch])


async def page_params(
    request: Request,
    response: Response,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"most items returned (1 to {MAX_LIMIT})")
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="items skipped; follow the Link header's next page")
    ] = 0,
) -> Page:
    return Page(limit=limit, offset=offset, request=request, response=response)


PageDep = Annotated[Page, Depends(page_params)]
