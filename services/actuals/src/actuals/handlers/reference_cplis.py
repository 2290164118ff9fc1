"""The council's care package line items (CPLIs), upserted in bulk by its own reference and listed
(docs/actuals.md "Council API"): all or nothing, every fault by item index and field, each change
published with its full state (`actuals.cpli.upserted.v1`), an unchanged item neither written nor
published. The items' shapes and the checks every bulk upsert shares are `actuals.handlers.reference`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import time
from decimal import Decimal

from actuals.handlers.reference import (
    CpliIn,
    UpsertResult,
    audit_upsert,
    require_council,
    require_count,
    upsert_result,
)
from actuals.store import reference as store
from actuals.store import reference_cplis as cpli_store
from actuals.store.reference import Cpli, Visit, Written
from actuals.store.reference_cplis import CpliRow
from shared.bulk import Fault, refuse, unique_references, validate_items
from shared.dates import out_of_range
from shared.events import CpliUpserted, TimetabledVisit
from shared.store import Scope
from shared.uow import Caller, Work


async def upsert_cplis(caller: Caller, work: Work, *, items: Sequence[object]) -> UpsertResult:
    principal = caller.principal
    require_council(principal, edit=True)
    require_count(items)
    faults: list[Fault] = []
    valid = validate_items(CpliIn, items, faults)
    unique_references(valid, faults)
    for index, cpli in valid:
        faults.extend(_shape_faults(index, cpli))
    # The references are looked up even when some items are already wrong: every fault in one answer.
    async with work.begin(caller.actor) as uow:
        conn = uow.conn
        authority = Scope.of(principal, store.AUTHORITY_ROWS)
        clients = {
            c.reference: c
            for c in await store.clients_by_reference(
                conn, scope=authority, references=sorted({c.client_reference for _, c in valid})
            )
        }
        levels = {
            s.reference: s
            for s in await store.service_levels_by_reference(
                conn,
                scope=Scope.of(principal, store.LEVEL_ROWS),
                references=sorted({c.service_level_reference for _, c in valid}),
            )
        }
        services = {
            s.service_id: s
            for s in await cpli_store.services_by_id(
                conn,
                scope=Scope.of(principal, store.SERVICE_ROWS),
                ids=sorted({c.service_id for _, c in valid}),
            )
        }
        rows: list[CpliRow] = []
        for index, cpli in valid:
            client = clients.get(cpli.client_reference)
            level = levels.get(cpli.service_level_reference)
            service = services.get(cpli.service_id)
            if client is None:
                faults.append(
                    Fault(
                        index,
                        "client_reference",
                        f"there is no client {cpli.client_reference!r} in this authority",
                    )
                )
            if level is None:
                faults.append(
                    Fault(
                        index,
                        "service_level_reference",
                        f"there is no service level {cpli.service_level_reference!r} in this authority",
                    )
                )
            elif cpli.timetable and level.unit != "Hours":
                faults.append(
                    Fault(
                        index,
                        "timetable",
                        f"visits are timed in hours, but {level.name!r} counts {level.unit}",
                    )
                )
            if service is None:
                faults.append(
                    Fault(index, "service_id", f"there is no service {cpli.service_id} of this authority")
                )
            if client is None or level is None or service is None:
                continue
            rows.append(
                CpliRow(
                    reference=cpli.reference,
                    organisation_id=service.organisation_id,
                    contract_id=service.contract_id,
                    service_id=service.service_id,
                    client_id=client.client_id,
                    client_reference=client.reference,
                    service_level_id=level.service_level_id,
                    care_package_ref=cpli.care_package_ref,
                    start_date=cpli.start_date,
                    end_date=cpli.end_date,
                    cost=cpli.cost,
                    frequency=cpli.frequency,
                    pricing=cpli.pricing,
                    units_per_week=_two_places(cpli.units_per_week),
                    authorised=cpli.authorised,
                    timetable=sorted(
                        (Visit(**v.model_dump()) for v in cpli.timetable),
                        key=lambda v: (v.weekday, v.start_time),
                    ),
                )
            )
        refuse(faults)
        existing = {
            c.reference: c
            for c in await cpli_store.cplis_by_reference(
                conn,
                scope=Scope.of(principal, store.CPLI_ROWS),
                references=[r.reference for r in rows],
                for_update=True,
            )
        }
        changed = [r for r in rows if _cpli_changed(existing.get(r.reference), r)]
        written = await cpli_store.write_cplis(conn, authority_id=principal.authority_id, rows=changed)
        # The events from what was written (no read back: 10,000 rows would be a second big query).
        await uow.publish_many(
            [
                (cpli_event(row, w, principal.authority_id), w.id, principal.authority_id)
                for row, w in zip(changed, written, strict=True)
            ]
        )
        created = sum(1 for r in changed if r.reference not in existing)
        result = upsert_result(len(rows), created=created, changed=len(changed))
        await audit_upsert(uow, "cplis_upserted", principal, result)
    return result


def _shape_faults(index: int, cpli: CpliIn) -> list[Fault]:
    found = []
    if fault := out_of_range(cpli.start_date):
        found.append(Fault(index, "start_date", fault))
    if cpli.end_date is not None and (fault := out_of_range(cpli.end_date)):
        found.append(Fault(index, "end_date", f"{fault}; leave it null for a line with no end"))
    if cpli.end_date is not None and cpli.end_date < cpli.start_date:
        found.append(Fault(index, "end_date", "the end date is before the start date"))
    if cpli.timetable and cpli.units_per_week is not None:
        found.append(Fault(index, "units_per_week", "give units_per_week or a timetable, not both"))
    if not cpli.timetable and cpli.units_per_week is None:
        found.append(Fault(index, "units_per_week", "give units_per_week, or a timetable of visits"))
    if cpli.units_per_week is not None and (cpli.units_per_week < 0 or cpli.units_per_week >= 10**6):
        found.append(Fault(index, "units_per_week", "must be between 0 and 999999.99"))
    if cpli.units_per_week is not None and cpli.units_per_week != round(cpli.units_per_week, 2):
        found.append(Fault(index, "units_per_week", "at most 2 decimal places"))
    if cpli.cost < 0:
        found.append(Fault(index, "cost", "the cost cannot be negative"))
    slots: defaultdict[tuple[int, time], int] = defaultdict(int)
    for n, visit in enumerate(cpli.timetable):
        slots[(visit.weekday, visit.start_time)] += 1
        if slots[(visit.weekday, visit.start_time)] == 2:
            found.append(
                Fault(
                    index, f"timetable.{n}", f"two visits start at {visit.start_time:%H:%M} on the same day"
                )
            )
    return found


def _two_places(units: Decimal | None) -> Decimal | None:
    """Units a week as the column holds them (numeric(8,2)), so the event reads as a re-publish will."""
    return None if units is None else units.quantize(Decimal("0.01"))


def _cpli_changed(current: Cpli | None, wanted: CpliRow) -> bool:
    if current is None:
        return True
    fields = (
        "organisation_id",
        "contract_id",
        "service_id",
        "client_id",
        "service_level_id",
        "care_package_ref",
        "start_date",
        "end_date",
        "cost",
        "frequency",
        "pricing",
        "units_per_week",
        "authorised",
        "timetable",
    )
    return any(getattr(current, f) != getattr(wanted, f) for f in fields)


def cpli_event(row: CpliRow, written: Written, authority_id: uuid.UUID) -> CpliUpserted:
    """The full state of a CPLI just written: what was sent, with its id and new revision."""
    return CpliUpserted(
        cpli_id=written.id,
        authority_id=authority_id,
        organisation_id=row.organisation_id,
        contract_id=row.contract_id,
        service_id=row.service_id,
        client_id=row.client_id,
        client_reference=row.client_reference,
        service_level_id=row.service_level_id,
        reference=row.reference,
        care_package_ref=row.care_package_ref,
        start_date=row.start_date,
        end_date=row.end_date,
        cost=row.cost,
        frequency=row.frequency,
        pricing=row.pricing,
        units_per_week=row.units_per_week,
        timetable=[TimetabledVisit(**v.model_dump()) for v in row.timetable],
        authorised=row.authorised,
        revision=written.revision,
        updated_at=written.updated_at,
    )


async def list_cplis(
    caller: Caller,
    work: Work,
    *,
    organisation_id: uuid.UUID | None,
    service_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[Cpli]:
    require_council(caller.principal)
    async with work.read() as conn:
        return await cpli_store.list_cplis(
            conn,
            scope=Scope.of(caller.principal, store.CPLI_ROWS),
            organisation_id=organisation_id,
            service_id=service_id,
            limit=limit,
            offset=offset,
        )
