"""The report catalogue: each report's key, title, description and columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reports.domain.runs import UnknownReport


@dataclass(frozen=True)
class Column:
    key: str  # the key of the row dicts the source yields
    heading: str
    kind: Literal["text", "money", "date", "number"] = "text"
    total: bool = False  # summed in the totals row (money/number)


@dataclass(frozen=True)
class ReportDefinition:
    key: str
    title: str
    description: str
    columns: tuple[Column, ...]
    narrow: bool = False  # single-column layout on a phone
    source: str = ""  # key of reports.store.sources.SOURCES (defaults to `key`)


ORGANISATION_DIRECTORY = ReportDefinition(
    key="organisation-directory",
    title="Provider Organisations",
    description="The provider organisations of the authority, with their reference and status.",
    columns=(Column("name", "Organisation"), Column("reference", "Reference"), Column("status", "Status")),
)
CATALOGUE = {r.key: r for r in (ORGANISATION_DIRECTORY,)}


def find_report(key: str) -> ReportDefinition:
    """The report called `key`, or UnknownReport naming those there are."""
    try:
        return CATALOGUE[key]
    except KeyError:
        raise UnknownReport(key, known=list(CATALOGUE)) from None
