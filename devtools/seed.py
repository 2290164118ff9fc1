"""Demo data: councils and providers recognisable from the council guides (../shared/seeds).

Later capabilities add their own demo data here. Everything goes through the owning service's handlers,
so the events are published and every projection fills up as in production.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from devtools import demo_actuals, demo_claims, demo_councils, demo_identity, demo_messaging, demo_payments
from identity import handlers as identity_handlers
from identity import keys as identity_keys
from identity.config import Settings as IdentitySettings
from identity.context import build_context
from identity.handlers.directory import council_system
from identity.store import directory as identity_store
from shared import db
from shared.bus import Outbox
from shared.logging import get_logger
from shared.settings import ServiceSettings
from shared.uow import Work

log = get_logger("seed")
NAMESPACE = uuid.UUID("6f1c1c52-7f0e-4c67-9d55-0d5e0c1b2a11")


@dataclass(frozen=True)
class DemoAuthority:
    slug: str
    name: str
    providers: tuple[tuple[str, str], ...]  # (reference, name)

    @property
    def authority_id(self) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, self.slug)


# The demo providers' contact details (Organisation Details): invented, with Ofcom's drama numbers.
PROVIDER_DETAILS: dict[str, dict[str, str]] = {
    "P100201": {
        "address": "Unit 4, Hortonwood 30\nTelford",
        "postcode": "TF1 7YD",
        "phone": "01632 960201",
        "email": "office@purplecare.example",
    },
    "P100245": {
        "address": "Wrekin View\nHollies Road\nWellington",
        "postcode": "TF1 3AB",
        "phone": "01632 960245",
        "email": "manager@wrekinview.example",
    },
    "148": {
        "address": "12 Front Street\nDurham",
        "postcode": "DH1 4AA",
        "phone": "01632 960148",
        "email": "carer@sausagesandwich.example",
    },
    "162": {
        "address": "3 Gilesgate\nDurham",
        "postcode": "DH1 1QF",
        "phone": "01632 960162",
        "email": "dawn@stocktonlodgings.example",
    },
    "A2010": {
        "address": "Portal House\nBath Road\nWorcester",
        "postcode": "WR5 3EZ",
        "phone": "01632 962010",
        "email": "office@portalnursing.example",
    },
    "A2044": {
        "address": "5 Church Street\nGreat Malvern",
        "postcode": "WR14 2AY",
        "phone": "01632 962044",
        "email": "care@malvernhills.example",
    },
    "C3001": {
        "address": "The Old School\nSevern Side\nWorcester",
        "postcode": "WR1 2NF",
        "phone": "01632 963001",
        "email": "hello@severnvalley.example",
    },
}


AUTHORITIES = (
    DemoAuthority(
        "telford-wrekin",
        "Telford & Wrekin Council",
        (("P100201", "Purple Care Ltd"), ("P100245", "Wrekin View Nursing Home")),
    ),
    DemoAuthority(
        "durham-childrens",
        "Durham County Council Children's",
        (("148", "Sausage Sandwich"), ("162", "Dawn Stockton Supported Lodgings")),
    ),
    DemoAuthority(
        "worcestershire-adults",
        "Worcestershire County Council",
        (("A2010", "Portal Nursing Home"), ("A2044", "Malvern Hills Home Care")),
    ),
    DemoAuthority(
        "worcestershire-childrens",
        "Worcestershire Children First",
        (("C3001", "Severn Valley Fostering"),),
    ),
)


async def seed_demo(settings: dict[str, ServiceSettings]) -> None:
    identity_settings = settings["identity"]
    assert isinstance(identity_settings, IdentitySettings)
    pool = await db.create_pool(identity_settings.dsn)
    ctx = build_context(
        work=Work(pool, Outbox("identity")),
        settings=identity_settings,
        signer=identity_keys.signing_keys(identity_settings)[0],
    )
    councils = {c.slug: c for c in demo_councils.COUNCILS}
    try:
        for authority in AUTHORITIES:
            async with pool.acquire() as conn:
                await identity_store.upsert_authority(
                    conn=conn, authority_id=authority.authority_id, slug=authority.slug, name=authority.name
                )
            for reference, name in authority.providers:
                await identity_handlers.upsert_organisation(
                    council_system(authority.authority_id, "demo-seed", correlation_id="demo-seed"),
                    Work(pool, Outbox("identity")),
                    reference=reference,
                    name=name,
                    active=True,
                    details=PROVIDER_DETAILS.get(reference),
                )
            if authority.slug in councils:
                await demo_identity.seed_council(ctx, councils[authority.slug], authority.authority_id)
        log.info("demo_seeded", authorities=len(AUTHORITIES))
    finally:
        ctx.hasher.close()
        await pool.close()
    if "actuals" in settings:  # `make run` prepares every service; identity's own tests seed identity alone
        await demo_actuals.seed_actuals(settings, authorities={a.slug: a.authority_id for a in AUTHORITIES})
    if "claims" in settings and "actuals" in settings:  # the claims are for actuals' clients in placement
        await demo_claims.seed_claims(settings, authorities={a.slug: a.authority_id for a in AUTHORITIES})
    if {"actuals", "claims", "payments"} <= set(settings):  # payments pays actuals' CPLIs and claims' items
        await demo_payments.seed_payments(settings, authorities={a.slug: a.authority_id for a in AUTHORITIES})
    if {"actuals", "messaging"} <= set(settings):  # actions about actuals' clients
        await demo_messaging.seed_messaging(
            settings, authorities={a.slug: a.authority_id for a in AUTHORITIES}
        )
