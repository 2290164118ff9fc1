"""The report catalogue: each report's key, title, description and columns."""

from __future__ import annotations

from dataclasses import dataclass

from reports.domain.runs import UnknownReport


@dataclass(frozen=True)
class Column:
    key: str  # the field of the report's rows
    heading: str


@dataclass(frozen=True)
class ReportDefinition:
    key: str
    title: str
    description: str
    columns: tuple[Column, ...]


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
