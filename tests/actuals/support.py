"""Reference rows of the actuals service written straight into its schema, for tests and benchmarks.

The council API and the identity projections fill these tables in the running system; a test that is
about something else (the provider's weeks, the CPLI list) builds what it needs here in one call:

    async with actuals_conn(env) as conn:
        package = await build_provider(conn, authority_id=p.authority_id, organisation_id=p.organisation_id,
                                       contract_id=p.contract_id, service_id=p.service_id, clients=6)

`build_provider` makes (or reuses, by id) the contract and the service, a service level in hours and one
in weeks with their rates, the clients, and one authorised CPLI per client: every `timetable_every`-th
one timetabled (visits on Monday, Wednesday and Friday), the others in weekly units. Everything can be
changed by the arguments or added to with the smaller functions.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

import asyncpg
import httpx

from shared import db


@asynccontextmanager
async def actuals_conn(env: object) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the run's actuals schema, as the actuals service's own role."""
    conn = await db.connect(env.dsn("actuals"))  # type: ignore[attr-defined]
    try:
        yield conn
    finally:
        await conn.close()


async def add_contract(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    contract_id: uuid.UUID | None = None,
    name: str = "Home care contract",
    payment_basis: str = "actuals",
    pays_frustrated: bool = False,
    pays_extras: bool = True,
    active: bool = True,
) -> uuid.UUID:
    """The contract (an existing id keeps its row: the projection may have made it already)."""
    contract_id = contract_id or uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO actuals.contract (contract_id, authority_id, organisation_id, reference, name, payment_basis,
                                      frequency, pays_frustrated, pays_extras, active, revision, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, 'weekly', $7, $8, $9, 1, now())
        ON CONFLICT (contract_id) DO UPDATE SET payment_basis = $6, pays_frustrated = $7, pays_extras = $8,
                                                active = $9
        """,
        contract_id,
        authority_id,
        organisation_id,
        f"C-{contract_id.hex[:8]}",
        name,
        payment_basis,
        pays_frustrated,
        pays_extras,
        active,
    )
    return contract_id


async def add_service(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    contract_id: uuid.UUID,
    service_id: uuid.UUID | None = None,
    name: str = "Home Care",
    active: bool = True,
) -> uuid.UUID:
    service_id = service_id or uuid.uuid4()
    await conn.execute(
        """
        INSERT INTO actuals.provider_service (service_id, authority_id, organisation_id, contract_id, reference,
                                              name, active, revision, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 1, now())
        ON CONFLICT (service_id) DO UPDATE SET active = $7
        """,
        service_id,
        authority_id,
        organisation_id,
        contract_id,
        f"S-{service_id.hex[:8]}",
        name,
        active,
    )
    return service_id


async def add_service_level(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    name: str,
    unit: str = "Hours",
    rates: Sequence[tuple[date, Decimal]] = ((date(2020, 1, 6), Decimal("18.5400")),),
    extras_payable: bool = True,
) -> uuid.UUID:
    service_level_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO actuals.service_level (service_level_id, authority_id, reference, name, unit, extras_payable)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        service_level_id,
        authority_id,
        f"SL-{service_level_id.hex[:8]}",
        name,
        unit,
        extras_payable,
    )
    await conn.executemany(
        "INSERT INTO actuals.service_level_rate (service_level_id, effective_from, rate) VALUES ($1, $2, $3)",
        [(service_level_id, day, rate) for day, rate in rates],
    )
    return service_level_id


async def add_clients(
    conn: asyncpg.Connection, *, authority_id: uuid.UUID, names: Sequence[str], prefix: str = "A2"
) -> list[uuid.UUID]:
    """Clients with SSRefs `prefix` + a number unique in the run; in one statement."""
    ids = [uuid.uuid4() for _ in names]
    await conn.execute(
        """
        INSERT INTO actuals.client (client_id, authority_id, reference, name, date_of_birth)
        SELECT u.id, $1, $2 || substr(replace(u.id::text, '-', ''), 1, 10), u.name, DATE '1940-01-01'
          FROM unnest($3::uuid[], $4::text[]) AS u(id, name)
        """,
        authority_id,
        prefix,
        ids,
        list(names),
    )
    return ids


@dataclass(frozen=True)
class CpliSpec:
    client_id: uuid.UUID
    service_level_id: uuid.UUID
    start_date: date
    end_date: date | None = None
    units_per_week: Decimal | None = None
    # (weekday 0-6, start, minutes, carers)
    timetable: tuple[tuple[int, time, int, int], ...] = ()
    authorised: bool = True
    cost: Decimal = Decimal("646.06")
    pricing: str = "1 x Placement at £646.06 (Spot)"


async def add_cplis(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    contract_id: uuid.UUID,
    service_id: uuid.UUID,
    specs: Sequence[CpliSpec],
) -> list[uuid.UUID]:
    """The CPLIs and their timetables, in two statements (thousands at once for the benchmarks)."""
    ids = [uuid.uuid4() for _ in specs]
    await conn.execute(
        """
        INSERT INTO actuals.cpli (cpli_id, authority_id, organisation_id, contract_id, service_id, client_id,
                                  service_level_id, reference, care_package_ref, start_date, end_date, cost,
                                  frequency, pricing, units_per_week, authorised)
        SELECT u.id, $1, $2, $3, $4, u.client_id, u.level, 'CPLI-' || replace(u.id::text, '-', ''),
               'M' || substr(replace(u.id::text, '-', ''), 1, 8), u.start_date, u.end_date, u.cost, 'Weekly',
               u.pricing, u.units, u.authorised
          FROM unnest($5::uuid[], $6::uuid[], $7::uuid[], $8::date[], $9::date[], $10::numeric[], $11::text[],
                      $12::numeric[], $13::boolean[])
               AS u(id, client_id, level, start_date, end_date, cost, pricing, units, authorised)
        """,
        authority_id,
        organisation_id,
        contract_id,
        service_id,
        ids,
        [s.client_id for s in specs],
        [s.service_level_id for s in specs],
        [s.start_date for s in specs],
        [s.end_date for s in specs],
        [s.cost for s in specs],
        [s.pricing for s in specs],
        [s.units_per_week for s in specs],
        [s.authorised for s in specs],
    )
    visits = [(cpli_id, *slot) for cpli_id, s in zip(ids, specs, strict=True) for slot in s.timetable]
    if visits:
        await conn.execute(
            """
            INSERT INTO actuals.cpli_visit (cpli_id, weekday, start_time, minutes, carers)
            SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::time[], $4::integer[], $5::smallint[])
            """,
            [v[0] for v in visits],
            [v[1] for v in visits],
            [v[2] for v in visits],
            [v[3] for v in visits],
            [v[4] for v in visits],
        )
    return ids


# Three visits a week: 45 minutes on Monday, Wednesday and Friday mornings (2.25 hours planned).
TIMETABLE = ((0, time(8, 0), 45, 1), (2, time(8, 0), 45, 1), (4, time(8, 0), 45, 2))


@dataclass
class ProviderPackage:
    authority_id: uuid.UUID
    organisation_id: uuid.UUID
    contract_id: uuid.UUID
    service_id: uuid.UUID
    hours_level_id: uuid.UUID  # "Home Care - Standard", in hours, timetabled CPLIs and weekly hours
    weeks_level_id: uuid.UUID  # "Band 4 - Single Room - Long Term", in weeks
    client_ids: list[uuid.UUID]
    client_names: list[str]
    cpli_ids: list[uuid.UUID]
    timetabled: set[uuid.UUID] = field(default_factory=set)

    def markers(self) -> set[str]:
        """Strings that must never reach another tenant."""
        return {
            str(i) for i in [*self.client_ids, *self.cpli_ids, self.hours_level_id, self.weeks_level_id]
        } | set(self.client_names)


async def build_provider(
    conn: asyncpg.Connection,
    *,
    authority_id: uuid.UUID,
    organisation_id: uuid.UUID,
    contract_id: uuid.UUID | None = None,
    service_id: uuid.UUID | None = None,
    clients: int = 4,
    timetable_every: int = 2,
    weekly_units: Decimal = Decimal("10"),
    start_date: date | None = None,
    payment_basis: str = "actuals",
    pays_frustrated: bool = False,
    pays_extras: bool = True,
    hours_rates: Sequence[tuple[date, Decimal]] = ((date(2020, 1, 6), Decimal("18.5400")),),
    label: str = "",
) -> ProviderPackage:
    """A provider's contract and service with `clients` clients, each with one authorised CPLI from
    `start_date` (a year ago by default): every `timetable_every`-th one timetabled (0: none), every
    fifth of the others a care home place in weeks, the rest `weekly_units` hours a week."""
    start = start_date or date.today() - timedelta(days=365)
    contract_id = await add_contract(
        conn,
        authority_id=authority_id,
        organisation_id=organisation_id,
        contract_id=contract_id,
        payment_basis=payment_basis,
        pays_frustrated=pays_frustrated,
        pays_extras=pays_extras,
    )
    service_id = await add_service(
        conn,
        authority_id=authority_id,
        organisation_id=organisation_id,
        contract_id=contract_id,
        service_id=service_id,
        name=f"Home Care {label}".strip(),
    )
    hours = await add_service_level(
        conn, authority_id=authority_id, name=f"Home Care - Standard {label}".strip(), rates=hours_rates
    )
    weeks = await add_service_level(
        conn,
        authority_id=authority_id,
        name=f"Band 4 - Single Room - Long Term {label}".strip(),
        unit="Weeks",
        rates=((date(2020, 1, 6), Decimal("646.0600")),),
    )
    names = [f"Client {label} {n:05d}".replace("  ", " ") for n in range(clients)]
    client_ids = await add_clients(conn, authority_id=authority_id, names=names)
    specs = []
    timetabled_at = set()
    for n, client_id in enumerate(client_ids):
        if timetable_every and n % timetable_every == 0:
            specs.append(CpliSpec(client_id, hours, start, timetable=TIMETABLE))
            timetabled_at.add(n)
        elif n % 5 == 1:
            specs.append(CpliSpec(client_id, weeks, start, units_per_week=Decimal(1)))
        else:
            specs.append(CpliSpec(client_id, hours, start, units_per_week=weekly_units))
    cpli_ids = await add_cplis(
        conn,
        authority_id=authority_id,
        organisation_id=organisation_id,
        contract_id=contract_id,
        service_id=service_id,
        specs=specs,
    )
    return ProviderPackage(
        authority_id=authority_id,
        organisation_id=organisation_id,
        contract_id=contract_id,
        service_id=service_id,
        hours_level_id=hours,
        weeks_level_id=weeks,
        client_ids=client_ids,
        client_names=names,
        cpli_ids=cpli_ids,
        timetabled={cpli_ids[n] for n in timetabled_at},
    )


@asynccontextmanager
async def actuals_api(env: object) -> AsyncIterator[httpx.AsyncClient]:
    """The actuals API in this process, on a real socket, with the run's database and broker."""
    from actuals.main import DEFINITION as ACTUALS
    from shared.service import create_api
    from tests.support.inprocess import serve

    async with serve(create_api(ACTUALS, env.settings(ACTUALS))) as client:  # type: ignore[attr-defined]
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def package_for(conn: asyncpg.Connection, provider: object, **options: object) -> ProviderPackage:
    """`build_provider` for a provider of the cross-tenant `world`: its organisation and contract, and its
    service unless `service_id=None` asks for a new one (the world is shared by the whole run: a test
    that changes weeks had better use a service of its own)."""
    service_id = options.pop("service_id", provider.service_id)  # type: ignore[attr-defined]
    return await build_provider(
        conn,
        authority_id=provider.authority_id,  # type: ignore[attr-defined]
        organisation_id=provider.organisation_id,  # type: ignore[attr-defined]
        contract_id=provider.contract_id,  # type: ignore[attr-defined]
        service_id=service_id,  # type: ignore[arg-type]
        label=provider.label,  # type: ignore[attr-defined]
        **options,  # type: ignore[arg-type]
    )
