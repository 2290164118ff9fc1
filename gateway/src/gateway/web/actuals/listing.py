"""Lists in pages: GOV.UK pagination (numbered when the number of pages is known, else Previous and
Next), sortable column headers (links with aria-sort), and a page's own URL with one parameter
changed. https://design-system.service.gov.uk/components/pagination/"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

PAGE_SIZE = 50


def page_number(raw: str | None) -> int:
    """The page asked for in ?page= (1 when missing or not a positive number)."""
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), 20_000)


def url_with(base: str, query: Mapping[str, str], **changes: object) -> str:
    """`base` with `query` and `changes` (a None or "" change drops that parameter)."""
    merged: dict[str, str] = {k: v for k, v in query.items() if v not in ("", None)}
    for key, value in changes.items():
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return base + (f"?{urlencode(merged)}" if merged else "")


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    href: str
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    previous: str | None
    next: str | None
    items: tuple[PageLink, ...]  # empty when the number of pages is not known

    def __bool__(self) -> bool:
        return bool(self.previous or self.next)


def numbered(base: str, query: Mapping[str, str], *, page: int, pages: int) -> Pagination:
    """Pages 1 .. `pages`: the first, the last, and the current with its neighbours; gaps as "…"."""
    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[PageLink] = []
    for number in shown:
        if items and items[-1].number is not None and number - (items[-1].number or 0) > 1:
            items.append(PageLink(None, ""))
        items.append(PageLink(number, url_with(base, query, page=number), current=number == page))
    return Pagination(
        previous=url_with(base, query, page=page - 1) if page > 1 else None,
        next=url_with(base, query, page=page + 1) if page < pages else None,
        items=tuple(items) if pages > 1 else (),
    )


def unnumbered(base: str, query: Mapping[str, str], *, page: int, more: bool) -> Pagination:
    """Previous and Next only (a list whose length the service does not count)."""
    return Pagination(
        previous=url_with(base, query, page=page - 1) if page > 1 else None,
        next=url_with(base, query, page=page + 1) if more else None,
        items=(),
    )


@dataclass(frozen=True)
class SortHeader:
    label: str
    href: str | None  # None: a column that does not sort
    aria_sort: str  # "ascending", "descending" or "none"


def sort_headers(
    columns: Sequence[tuple[str, str | None]], *, current: str, base: str, query: Mapping[str, str]
) -> list[SortHeader]:
    """A header per (label, sort key) column; the current sort's column links to the other direction.
    Changing the sort starts again at page 1."""
    key, descending = current.lstrip("-"), current.startswith("-")
    headers = []
    for label, sort in columns:
        if sort is None:
            headers.append(SortHeader(label, None, "none"))
            continue
        if sort == key:
            target = sort if descending else f"-{sort}"
            aria = "descending" if descending else "ascending"
        else:
            target, aria = sort, "none"
        headers.append(SortHeader(label, url_with(base, query, sort=target, page=None), aria))
    return headers
