"""The whole payment cycle's harness: a council's providers made as identity makes them, the services'
APIs and workers in the test's process on the run's database and broker, and a finance system's tap on
`portal.events` that counts the payment events it receives.

    council = await make_council(env, {"P": ("planned", False), "A": ("actuals", True)})  # via identity
    async with (
        FinanceTap.open(env, council.authority_id) as tap,
        service_apis(env) as api,
        running_workers(env),                  # every service's projections fill by events
    ):
        await reference_data(env, api["actuals"], council, week)   # clients, levels, CPLIs
        await confirm_week(env, api["actuals"], council, week)     # provider A's week, confirmed
        ...
        await tap.wait_for({"payments.remittance.issued.v1": 2})

Nothing here writes into another service's tables: identity's handlers publish through identity's outbox,
its worker's relay carries the events, and each service's consumer applies them.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import aio_pika
import httpx

from devtools.demo_identity import system
from identity.handlers import directory
from shared import db
from shared.bus import Outbox
from shared.service import create_api, run_worker
from shared.uow import Actor, Caller, Work
from tests.support.environment import RunEnvironment
from tests.support.inprocess import eventually, serve

FINANCE_KEYS = (
    "payments.scheduled_payment.confirmed.v1",
    "payments.scheduled_payment.disputed.v1",
    "payments.payment_run.finalised.v1",
    "payments.remittance.issued.v1",
    "payments.invoice.submitted.v1",
    "payments.credit_note.issued.v1",
)


def monday_weeks_ago(weeks: int, today: date | None = None) -> date:
    """The Monday of the week `weeks` before this one (a period whose dates have all passed)."""
    day = (today or date.today()) - timedelta(days=7 * weeks)
    return day - timedelta(days=day.weekday())


@dataclass
class Provider:
    label: str
    organisation_id: uuid.UUID
    reference: str
    contract_id: uuid.UUID
    service_id: uuid.UUID
    payment_basis: str


@dataclass
class Council:
    authority_id: uuid.UUID
    providers: dict[str, Provider] = field(default_factory=dict)

    def headers(self, env: RunEnvironment) -> dict[str, str]:
        """A council system (machine token, Edit)."""
        return {"authorization": f"Bearer {env.council_token(self.authority_id)}"}

    def staff(self, env: RunEnvironment) -> dict[str, str]:
        """A council member of staff (a person: claims' decisions are someone's word)."""
        return {"authorization": f"Bearer {env.council_user_token(self.authority_id)}"}

    def provider(self, env: RunEnvironment, label: str) -> dict[str, str]:
        """A person of the provider with Full access and Edit."""
        token = env.token(
            authority_id=self.authority_id, organisation_id=self.providers[label].organisation_id
        )
        return {"authorization": f"Bearer {token}"}


async def make_council(env: RunEnvironment, bases: dict[str, tuple[str, bool]]) -> Council:
    """A new authority in identity and, per label, an organisation with one contract (payment basis, VAT
    registered or not) and one service, through identity's handlers: their events wait in identity's
    outbox for its relay."""
    authority_id = uuid.uuid4()
    run = uuid.uuid4().hex[:8]
    pool = await db.create_pool(env.dsn("identity"))
    work = Work(pool, Outbox("identity"))
    caller = Caller(system(authority_id), Actor.system("payment-cycle"))
    council = Council(authority_id)
    try:
        async with pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO identity.authority (authority_id, slug, name) VALUES ($1, $2, $3)",
                authority_id,
                f"cycle-{run}",
                f"Cycle Council {run}",
            )
        for label, (basis, vat_registered) in bases.items():
            reference = f"{label}-{run}"
            org = await directory.upsert_organisation(
                caller, work, reference=reference, name=f"Provider {label} {run}", active=True
            )
            contract = await directory.upsert_contract(
                caller,
                work,
                organisation_id=org.organisation_id,
                values={
                    "reference": f"C-{label}-{run}",
                    "name": f"Contract {label} {run}",
                    "payment_basis": basis,
                    "frequency": "weekly",
                    "pays_frustrated": True,
                    "pays_extras": True,
                    "vat_registered": vat_registered,
                    "start_date": None,
                    "end_date": None,
                    "active": True,
                },
            )
            service = await directory.upsert_service(
                caller,
                work,
                contract_id=contract.contract_id,
                reference=f"S-{label}-{run}",
                name=f"Service {label} {run}",
                active=True,
            )
            council.providers[label] = Provider(
                label, org.organisation_id, reference, contract.contract_id, service.service_id, basis
            )
    finally:
        await pool.close()
    return council


@asynccontextmanager
async def running_workers(env: RunEnvironment, *, payments_replicas: int = 2) -> AsyncIterator[None]:
    """identity's relay, and actuals', claims' and payments' workers (relays, consumers, the payment
    run loop), as `python -m <service> worker` runs them; payments' twice by default, as a deployment
    with two replicas (their relays share the outbox, their run loops the runs)."""
    from actuals.main import DEFINITION as ACTUALS
    from claims.main import DEFINITION as CLAIMS
    from identity.main import DEFINITION as IDENTITY
    from payments.main import DEFINITION as PAYMENTS

    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(run_worker(IDENTITY, env.settings(IDENTITY), stop=stop, consume=False)),
        *(
            asyncio.create_task(run_worker(d, env.settings(d), stop=stop))
            for d in (ACTUALS, CLAIMS, *[PAYMENTS] * payments_replicas)
        ),
    ]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


@asynccontextmanager
async def service_apis(env: RunEnvironment) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """actuals', claims' and payments' APIs in this process, each on a real socket."""
    from actuals.main import DEFINITION as ACTUALS
    from claims.main import DEFINITION as CLAIMS
    from payments.main import DEFINITION as PAYMENTS

    async with (
        serve(create_api(ACTUALS, env.settings(ACTUALS))) as actuals,
        serve(create_api(CLAIMS, env.settings(CLAIMS))) as claims,
        serve(create_api(PAYMENTS, env.settings(PAYMENTS))) as payments,
    ):
        yield {"actuals": actuals, "claims": claims, "payments": payments}


# --- the council's reference data and a provider's week, through actuals' APIs ----------------------


def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def reference_data(
    env: RunEnvironment, actuals: httpx.AsyncClient, council: Council, week: date
) -> dict[str, str]:
    """Clients, service levels and CPLIs through actuals' council API, once actuals knows both services
    from identity's events; answers the client references by name."""
    tag = council.authority_id.hex[:6].upper()
    refs = {name: f"{name}{tag}" for name in ("P1", "P2", "A1", "A2")}

    async def knows_services() -> bool:
        listed = [
            ok(await actuals.get("/api/v1/actuals/services", headers=council.provider(env, label)))
            for label in ("P", "A")
        ]
        return all(len(found) == 1 for found in listed)

    await eventually(knows_services, timeout=60, interval=0.2)
    start = str(week - timedelta(days=28))
    rates_from = str(week - timedelta(days=60))
    headers = council.headers(env)
    clients = [{"reference": ref, "name": f"Client {name} {tag}"} for name, ref in refs.items()]
    ok(await actuals.post("/council/v1/actuals/clients", json=clients, headers=headers))
    levels = [
        {"reference": "HC-STD", "name": "Home Care", "unit": "Hours",
         "rates": [{"effective_from": rates_from, "rate": "21.45"}]},
        {"reference": "FOST", "name": "Fostering", "unit": "Weeks",
         "rates": [{"effective_from": rates_from, "rate": "353.08"}]},
    ]  # fmt: skip
    ok(await actuals.post("/council/v1/actuals/service-levels", json=levels, headers=headers))

    def cpli(name: str, label: str, level: str, cost: str, units: str) -> dict[str, Any]:
        return {
            "reference": f"CPLI-{name}-{tag}",
            "client_reference": refs[name],
            "service_level_reference": level,
            "service_id": str(council.providers[label].service_id),
            "care_package_ref": f"M1/Migr:{name}",
            "start_date": start,
            "end_date": None,
            "cost": cost,
            "frequency": "Weekly",
            "pricing": f"{units} x {level}",
            "units_per_week": units,
            "authorised": True,
        }

    cplis = [
        cpli("P1", "P", "FOST", "353.08", "1"),
        cpli("P2", "P", "FOST", "303.03", "1"),
        cpli("A1", "A", "HC-STD", "214.50", "10"),
        cpli("A2", "A", "HC-STD", "160.88", "7.5"),
    ]
    assert ok(await actuals.post("/council/v1/actuals/cplis", json=cplis, headers=headers))["created"] == 4
    return refs


async def confirm_week(
    env: RunEnvironment, actuals: httpx.AsyncClient, council: Council, week: date
) -> dict[str, Any]:
    """Provider A generates its week (delivered as planned) and confirms it."""
    auth = council.provider(env, "A")
    url = f"/api/v1/actuals/services/{council.providers['A'].service_id}/weeks/{week}"
    generated = ok(await actuals.post(f"{url}/generate", headers=auth))
    assert generated["total"] == "375.38"
    return dict(
        ok(await actuals.post(f"{url}/confirm", json={"version": generated["version"]}, headers=auth))
    )


@dataclass
class FinanceTap:
    """A finance system's own queue bound to the payment events on `portal.events`: every envelope of the
    authority it receives, in order of arrival (redeliveries and duplicates included)."""

    authority_id: uuid.UUID
    received: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    @asynccontextmanager
    async def open(cls, env: RunEnvironment, authority_id: uuid.UUID) -> AsyncIterator[FinanceTap]:
        tap = cls(authority_id)
        connection = await aio_pika.connect(env.amqp_url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.declare_exchange("portal.events", passive=True)
            queue = await channel.declare_queue(
                f"finance-tap-{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True
            )
            for key in FINANCE_KEYS:
                await queue.bind(exchange, routing_key=key)

            async def take(message: aio_pika.abc.AbstractIncomingMessage) -> None:
                async with message.process():
                    envelope = json.loads(message.body)
                    if envelope["authority_id"] == str(authority_id):
                        tap.received.append({**envelope, "routing_key": message.routing_key})

            await queue.consume(take)
            yield tap

    def counts(self) -> Counter[str]:
        return Counter(str(e["routing_key"]) for e in self.received)

    def of(self, routing_key: str) -> list[dict[str, Any]]:
        return [e["payload"] for e in self.received if e["routing_key"] == routing_key]

    async def wait_for(
        self, expected: dict[str, int], *, timeout: float = 30, quiet: float = 2
    ) -> Counter[str]:
        """Until at least `expected` of each key arrived, then `quiet` seconds more: the counts then."""
        await eventually(lambda: _at_least(self.counts(), expected), timeout=timeout, interval=0.1)
        await asyncio.sleep(quiet)
        return self.counts()

    def event_ids(self, keys: Collection[str] = FINANCE_KEYS) -> list[str]:
        return [str(e["event_id"]) for e in self.received if e["routing_key"] in keys]


async def _at_least(counts: Counter[str], expected: dict[str, int]) -> bool:
    return all(counts[key] >= n for key, n in expected.items())
