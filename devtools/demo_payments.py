"""The demo payments of `make run` (docs/demo.md "Payments"): a weekly or four-weekly schedule for every
demo contract, then for each council the runs of its last few complete periods computed and finalised
(remittances issued) and the latest runnable period computed, not finalised: each paid provider sees
Finalised periods and one Unconfirmed current period. Durham's foster carer's is the seed's: 656.11.
Durham also has the weeks around the end of the tax year 2025/26 finalised (`TAX_YEAR_ENDS`, one with its
pay date moved by the council), so the carer's annual statement of that year spans two financial years.

Everything goes through payments' own handlers (the schedule upsert, a run's start, its computation as
the worker does it, its finalisation), as the council's system would through `/council/v1/payments`.

Ordering. The seeding runs before any worker, so the events payments lives on (identity's directory,
actuals' clients, CPLIs and confirmed weeks, claims' decisions) are still in their producers' outboxes.
As `seed_claims` does for claims, the seeder applies the producers' current states to payments'
projections itself, through payments' consumers: the same revision-guarded applies the events get when
they arrive, so the later delivery changes nothing. Confirmed weeks and claim decisions are built by the
producers' own event builders from their rows.

Idempotent: a contract that has a schedule keeps it, and a run is started once per period (starting it
again answers the same run; a computed run is never recomputed, a finalised one never again). On a later
day the next periods are run, as a council would.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import asyncpg

from actuals.handlers.week_confirm import confirmed_event
from actuals.republishing import CLIENTS, CPLIS
from actuals.store import cplis as actuals_cplis
from actuals.store import weeks as actuals_weeks
from actuals.store.lines import all_lines
from claims.handlers.views import decided_event
from claims.store import claims as claims_store
from claims.store import items as claims_items
from devtools.demo_actuals import apply_current_states, council_system
from devtools.demo_councils import COUNCILS
from identity.republishing import CONTRACTS, ORGANISATIONS, PROVIDER_SERVICES
from payments import consumers
from payments.domain.periods import financial_year, year_bounds
from payments.handlers import finalise, runs, schedules
from payments.handlers.schedules import PeriodMove
from shared import db
from shared.bus import Outbox
from shared.events import ClaimDecided, Envelope, OrganisationUpserted, WeekConfirmed, make_envelope
from shared.logging import get_logger
from shared.settings import ServiceSettings
from shared.store import AuthorityScope
from shared.uow import Work

log = get_logger("seed")

FINALISED_PERIODS = 3  # complete periods run and finalised before the current (computed) one
HISTORY_DAYS = 150  # (FINALISED_PERIODS + 1) four-weekly periods, the latest's amendment date, a week


@dataclass(frozen=True)
class TaxYearEnd:
    """A council's weeks around the end of a tax year, run and finalised before its recent periods: the
    foster carer's annual statement of that tax year (6 April to 5 April) then has payments of two
    financial years (a pay date on 1 to 5 April is in the new financial year, still in the old tax year).
    Fixed dates, like the placements they pay (devtools/demo_care_packages.py: since 1 September 2025)."""

    anchor: date  # the council's calendar starts here (a Monday, aligned with `anchor(today)`'s weeks)
    starts: tuple[date, ...]  # the weekly periods run and finalised, oldest first
    moved: dict[date, PeriodMove]  # a period's dates moved by the council before its run


# Durham: the weeks of 16, 23 and 30 March 2026, paid Tuesday 31 March (2025/26 both ways), Thursday
# 2 April (the Tuesday after Easter Monday brought forward before Good Friday: financial year 2026/27,
# tax year 2025/26) and Tuesday 14 April 2026 (2026/27 both ways).
TAX_YEAR_ENDS: dict[str, TaxYearEnd] = {
    "durham-childrens": TaxYearEnd(
        anchor=date(2026, 3, 16),
        starts=(date(2026, 3, 16), date(2026, 3, 23), date(2026, 3, 30)),
        moved={
            date(2026, 3, 23): PeriodMove(
                last_amendment_date=date(2026, 3, 30),
                finalisation_date=date(2026, 4, 1),
                pay_date=date(2026, 4, 2),
            )
        },
    )
}


# --- the producers' current states into payments' projections -------------------------------------------


async def project_states(
    identity: asyncpg.Connection,
    actuals: asyncpg.Connection,
    claims: asyncpg.Connection,
    payments: asyncpg.Connection,
    *,
    authorities: list[uuid.UUID],
) -> int:
    """Identity's organisations, contracts and services, actuals' clients, CPLIs and confirmed weeks and
    claims' decisions applied through payments' consumers; answers how many states were applied."""
    applied = await _organisations(identity, payments)
    applied += await apply_current_states(
        identity, payments, ((consumers.contracts, CONTRACTS), (consumers.services, PROVIDER_SERVICES))
    )
    applied += await apply_current_states(
        actuals, payments, ((consumers.clients, CLIENTS), (consumers.cplis, CPLIS))
    )
    for week in await _confirmed_weeks(actuals, authorities):
        async with payments.transaction():
            await consumers.week_confirmed(payments, _envelope(week, week.week_id), week)
        applied += 1
    for decision in await _decisions(claims, authorities):
        async with payments.transaction():
            await consumers.claim_decided(payments, _envelope(decision, decision.claim_id), decision)
        applied += 1
    return applied


def _envelope(event: WeekConfirmed | ClaimDecided, aggregate_id: uuid.UUID) -> Envelope:
    return make_envelope(event, aggregate_id=aggregate_id, authority_id=event.authority_id)


async def _organisations(identity: asyncpg.Connection, payments: asyncpg.Connection) -> int:
    """The organisation event fills two projections (the directory and the supplier's address): the
    consumer's own handler applies both."""
    batch = []
    for row in await identity.fetch(ORGANISATIONS):
        event = OrganisationUpserted.model_validate(dict(row))
        batch.append(
            (
                make_envelope(event, aggregate_id=row["organisation_id"], authority_id=row["authority_id"]),
                event,
            )
        )
    async with payments.transaction():
        await consumers.organisations_upserted(payments, batch)
    return len(batch)


async def _confirmed_weeks(actuals: asyncpg.Connection, authorities: list[uuid.UUID]) -> list[WeekConfirmed]:
    """Every confirmed (or since locked) week of the demo councils, as actuals published it."""
    found = []
    for row in await actuals.fetch(
        "SELECT authority_id, service_id, week_commencing FROM actuals.actual_week"
        " WHERE authority_id = ANY($1) AND state <> 'open' ORDER BY week_commencing, service_id",
        authorities,
    ):
        authority = row["authority_id"]
        week = await actuals_weeks.get_week(
            actuals,
            scope=AuthorityScope(authority, column="w.authority_id"),
            service_id=row["service_id"],
            week=row["week_commencing"],
        )
        service = await actuals_cplis.get_service(
            actuals, scope=AuthorityScope(authority, column="s.authority_id"), service_id=row["service_id"]
        )
        if week is None or service is None:
            continue
        lines = await all_lines(actuals, week_id=week.week_id)
        found.append(confirmed_event(week, payment_basis=service.payment_basis, lines=lines))
    return found


async def _decisions(claims: asyncpg.Connection, authorities: list[uuid.UUID]) -> list[ClaimDecided]:
    """Every decided claim of the demo councils, as claims published its decision."""
    found = []
    for row in await claims.fetch(
        "SELECT authority_id, claim_id FROM claims.claim"
        " WHERE authority_id = ANY($1) AND status IN ('accepted', 'rejected') ORDER BY claim_id",
        authorities,
    ):
        authority = row["authority_id"]
        claim = await claims_store.get(
            claims, scope=AuthorityScope(authority, column="c.authority_id"), claim_id=row["claim_id"]
        )
        items = await claims_items.of_claim(
            claims, scope=AuthorityScope(authority, column="i.authority_id"), claim_id=row["claim_id"]
        )
        if claim is not None:
            found.append(decided_event(claim, items))
    return found


# --- schedules and runs ----------------------------------------------------------------------------------


def anchor(today: date) -> date:
    """The first Monday of the current financial year, or of the previous one until late August: the
    calendar starts there, early enough for four four-weekly periods to have passed (4 x 28 days and the
    last one's amendment date) whatever the day."""
    first = year_bounds(financial_year(today - timedelta(days=HISTORY_DAYS)))[0]
    return first + timedelta(days=(7 - first.weekday()) % 7)


async def schedule_contracts(
    work: Work,
    conn: asyncpg.Connection,
    authority: uuid.UUID,
    references: list[str],
    today: date,
    *,
    since: date | None = None,
) -> list[uuid.UUID]:
    """A schedule (the contract's frequency, the default dates and VAT) for each demo contract that has
    none, from `anchor(today)` or the earlier `since`; answers every demo contract's id (a council's
    later change of a schedule is kept)."""
    first = min(anchor(today), since) if since is not None else anchor(today)
    rows = await conn.fetch(
        "SELECT c.contract_id, s.contract_id IS NOT NULL AS scheduled FROM payments.contract c"
        " LEFT JOIN payments.schedule s USING (contract_id)"
        " WHERE c.authority_id = $1 AND c.reference = ANY($2) ORDER BY c.reference",
        authority,
        references,
    )
    new: list[object] = [
        {"contract_id": str(r["contract_id"]), "anchor_date": first.isoformat()}
        for r in rows
        if not r["scheduled"]
    ]
    if new:
        await schedules.upsert_schedules(council_system(authority), work, items=new, today=today)
    return [r["contract_id"] for r in rows]


async def runnable_periods(
    conn: asyncpg.Connection, authority: uuid.UUID, contracts: list[uuid.UUID], today: date
) -> dict[str, list[date]]:
    """The period starts of the demo contracts' schedules whose last amendment date has passed (a run is
    refused before), by frequency, oldest first."""
    found: dict[str, list[date]] = {}
    for row in await conn.fetch(
        "SELECT s.frequency, p.start_date FROM payments.period p JOIN payments.schedule s USING (contract_id)"
        " WHERE p.authority_id = $1 AND p.contract_id = ANY($2)"
        " GROUP BY s.frequency, p.start_date HAVING max(p.last_amendment_date) < $3"
        " ORDER BY s.frequency, p.start_date",
        authority,
        contracts,
        today,
    ):
        found.setdefault(row["frequency"], []).append(row["start_date"])
    return found


async def run_periods(
    work: Work, authority: uuid.UUID, frequency: str, starts: list[date], today: date
) -> int:
    """The last few periods' runs finalised in order (a run owes again what the previous left unfinalised),
    then the latest computed and left for the provider to confirm; answers how many runs are finalised."""
    council = council_system(authority)
    latest = starts[-1:]
    earlier = starts[-1 - FINALISED_PERIODS : -1]
    done = 0
    for start in [*earlier, *latest]:
        run, _ = await runs.start_run(
            council, work, run=runs.RunIn(frequency=frequency, period_start=start), today=today
        )
        run_id = run["run_id"]
        assert isinstance(run_id, uuid.UUID)
        await runs.compute_run(work, run_id=run_id, today=today)
        if start not in latest:
            await finalise.finalise_run(council, work, run_id=run_id, today=today)
            done += 1
    return done


async def run_tax_year_end(
    work: Work,
    conn: asyncpg.Connection,
    authority: uuid.UUID,
    contracts: list[uuid.UUID],
    end: TaxYearEnd,
    today: date,
) -> int:
    """The weeks of `end` moved as the council moved them, then run and finalised in order, once (a
    schedule made before this history existed has no such periods: nothing is done)."""
    council = council_system(authority)
    done = 0
    for start in end.starts:
        periods = await conn.fetch(
            "SELECT p.period_id, p.pay_date, p.last_amendment_date, sp.status FROM payments.period p"
            "  JOIN payments.schedule s USING (contract_id)"
            "  LEFT JOIN payments.scheduled_payment sp USING (period_id)"
            " WHERE p.authority_id = $1 AND p.contract_id = ANY($2) AND s.frequency = 'weekly'"
            "   AND p.start_date = $3",
            authority,
            contracts,
            start,
        )
        move = end.moved.get(start)
        amendable = max(p["last_amendment_date"] for p in periods) if periods else today
        if move is not None:
            amendable = max(amendable, move.last_amendment_date)
        if amendable >= today:  # no such period (an older schedule), or not over yet: a run is refused
            continue
        for period in periods:
            if move is not None and period["pay_date"] != move.pay_date and period["status"] != "finalised":
                await schedules.move_period(council, work, period_id=period["period_id"], move=move)
        run, _ = await runs.start_run(
            council, work, run=runs.RunIn(frequency="weekly", period_start=start), today=today
        )
        run_id = run["run_id"]
        assert isinstance(run_id, uuid.UUID)
        await runs.compute_run(work, run_id=run_id, today=today)
        await finalise.finalise_run(council, work, run_id=run_id, today=today)
        done += 1
    return done


# --- seeding -------------------------------------------------------------------------------------------


async def seed_payments(
    settings: Mapping[str, ServiceSettings],
    *,
    authorities: Mapping[str, uuid.UUID],
    today: date | None = None,
) -> None:
    """Project the producers' states, schedule the demo contracts, run each council's periods."""
    today = today or date.today()
    identity = await db.connect(settings["identity"].dsn)
    actuals = await db.connect(settings["actuals"].dsn)
    claims = await db.connect(settings["claims"].dsn)
    pool = await db.create_pool(settings["payments"].dsn)
    try:
        async with pool.acquire() as conn:
            projected = await project_states(
                identity, actuals, claims, conn, authorities=list(authorities.values())
            )
        work = Work(pool, Outbox("payments"))
        for council in COUNCILS:
            authority = authorities.get(council.slug)
            if authority is None or not council.contracts:
                continue
            history = TAX_YEAR_ENDS.get(council.slug)
            async with pool.acquire() as conn:
                contracts = await schedule_contracts(
                    work,
                    conn,
                    authority,
                    [c.reference for c in council.contracts],
                    today,
                    since=history.anchor if history else None,
                )
                ended = 0
                if history is not None:
                    ended = await run_tax_year_end(work, conn, authority, contracts, history, today)
                periods = await runnable_periods(conn, authority, contracts, today)
            finalised = {
                f: await run_periods(work, authority, f, starts, today) for f, starts in periods.items()
            }
            log.info(
                "demo_payments_seeded",
                authority=council.slug,
                contracts=len(contracts),
                finalised=finalised,
                tax_year_end=ended,
            )
        log.info("demo_payments_projected", states=projected)
    finally:
        await identity.close()
        await actuals.close()
        await claims.close()
        await pool.close()
