"""Each authority's catalogue: the reports its users are offered, and the council's choice of them.

A report is offered to a user when the service has it, the user's council has not withdrawn it, and the
user's role gives the report's capability (Finance functions for most). Withdrawn or not, a report the
caller cannot be offered is refused like a report there is not: the catalogue never hints at it.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from reports.domain.catalogue import CATALOGUE, ReportDefinition, find_report
from reports.domain.runs import UnknownReport
from reports.store import catalogue as store
from shared.auth import Principal
from shared.capabilities import Capability, can, require_capability
from shared.errors import Forbidden
from shared.store import AuthorityScope
from shared.uow import Caller, Work


@dataclass(frozen=True)
class Offer:
    """A report of the service as one council configured it."""

    definition: ReportDefinition
    enabled: bool
    updated_by: str | None


async def offered(caller: Caller, work: Work) -> list[ReportDefinition]:
    """The reports the caller may run, in the catalogue's order."""
    require_capability(caller.principal, Capability.reports)
    async with work.read() as conn:
        return await offered_to(conn, caller.principal)


async def offered_to(conn: asyncpg.Connection, principal: Principal) -> list[ReportDefinition]:
    chosen = await store.entries(conn=conn, scope=AuthorityScope(principal.authority_id))
    return [
        d
        for d in CATALOGUE.values()
        if (d.key not in chosen or chosen[d.key].enabled) and can(principal, d.capability)
    ]


async def offered_report(conn: asyncpg.Connection, principal: Principal, key: str) -> ReportDefinition:
    """The report called `key` if the caller may run it; UnknownReport naming those they may."""
    mine = await offered_to(conn, principal)
    for definition in mine:
        if definition.key == key:
            return definition
    raise UnknownReport(key, known=[d.key for d in mine])


def require_council(principal: Principal, *, edit: bool = False) -> None:
    if not principal.is_council:
        raise Forbidden("only the council can use the council API")
    require_capability(principal, Capability.reports, edit=edit)


async def council_catalogue(caller: Caller, work: Work) -> list[Offer]:
    """Every report of the service, with whether the council's users are offered it."""
    require_council(caller.principal)
    async with work.read() as conn:
        chosen = await store.entries(conn=conn, scope=AuthorityScope(caller.principal.authority_id))
    return [
        Offer(d, enabled=d.key not in chosen or chosen[d.key].enabled, updated_by=_by(chosen.get(d.key)))
        for d in CATALOGUE.values()
    ]


async def set_offered(caller: Caller, work: Work, *, report: str, enabled: bool) -> Offer:
    """Offer a report to the council's users, or withdraw it (its runs and files stay as they are)."""
    principal = caller.principal
    require_council(principal, edit=True)
    definition = find_report(report)
    async with work.begin(caller.actor) as uow:
        entry = await store.set_enabled(
            conn=uow.conn,
            scope=AuthorityScope(principal.authority_id),
            report=definition.key,
            enabled=enabled,
            updated_by=principal.subject,
        )
        await uow.audit(
            "report_offered" if enabled else "report_withdrawn",
            authority_id=principal.authority_id,
            report=definition.key,
        )
        uow.log("report_catalogue_changed", report=definition.key, enabled=enabled)
    return Offer(definition, enabled=entry.enabled, updated_by=entry.updated_by)


def _by(entry: store.CatalogueEntry | None) -> str | None:
    return entry.updated_by if entry is not None else None
