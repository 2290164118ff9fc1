"""store/weeks_due.unconfirmed_weeks on the real schema: which past weeks count, per service, for a
provider's scope and for the council's (one organisation)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from actuals.domain.weeks import week_commencing
from actuals.store.weeks_due import SERVICE_ROWS
from actuals.store.weeks_due import unconfirmed_weeks as due_services
from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.store import AuthorityScope, Scope
from tests.actuals.support import CpliSpec, actuals_conn, add_clients, add_cplis, add_service, build_provider


async def unconfirmed_weeks(conn, **given):
    """{service_id: unconfirmed weeks} of the services with any."""
    return {s.service_id: s.unconfirmed_weeks for s in await due_services(conn, **given)}


def provider_scope(authority_id, organisation_id):
    principal = Principal(
        subject="u",
        kind=PrincipalKind.user,
        authority_id=authority_id,
        organisation_id=organisation_id,
        role=Role.care,
        can_edit=True,
        scope_type=ScopeType.organisation,
        scope_id=organisation_id,
    )
    return Scope.of(principal, SERVICE_ROWS)


async def test_counts_past_weeks_with_an_authorised_cpli_not_confirmed_or_locked(env):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    today = week_commencing(date.today()) + timedelta(days=2)  # a Wednesday
    current = week_commencing(today)
    async with actuals_conn(env) as conn:
        package = await build_provider(
            conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            clients=1,
            timetable_every=0,
            start_date=current - timedelta(weeks=3) + timedelta(days=6),  # the Sunday of week -3
        )
        # a second service: only an unauthorised CPLI, and one of 20 weeks ago ended 15 weeks ago
        quiet = await add_service(
            conn, authority_id=authority_id, organisation_id=organisation_id, contract_id=package.contract_id
        )
        clients = await add_clients(conn, authority_id=authority_id, names=["Q1", "Q2"])
        await add_cplis(
            conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            contract_id=package.contract_id,
            service_id=quiet,
            specs=[
                CpliSpec(clients[0], package.hours_level_id, current - timedelta(weeks=5), authorised=False),
                CpliSpec(
                    clients[1],
                    package.hours_level_id,
                    current - timedelta(weeks=20),
                    current - timedelta(weeks=15),
                    units_per_week=Decimal(2),
                ),
            ],
        )
        scope = provider_scope(authority_id, organisation_id)
        # weeks -3 (one day of it), -2, -1; never the current week
        assert await unconfirmed_weeks(conn, scope=scope, today=today) == {package.service_id: 3}

        for state, weeks_ago in (("confirmed", 1), ("locked", 2), ("open", 3)):
            await conn.execute(
                "INSERT INTO actuals.actual_week (week_id, authority_id, organisation_id, contract_id, service_id,"
                " week_commencing, state) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                uuid.uuid4(),
                authority_id,
                organisation_id,
                package.contract_id,
                package.service_id,
                current - timedelta(weeks=weeks_ago),
                state,
            )
        assert await unconfirmed_weeks(conn, scope=scope, today=today) == {package.service_id: 1}

        council = AuthorityScope(authority_id, column="s.authority_id")
        assert await unconfirmed_weeks(conn, scope=council, today=today, organisation_id=organisation_id) == {
            package.service_id: 1
        }
        assert await unconfirmed_weeks(conn, scope=council, today=today, organisation_id=uuid.uuid4()) == {}
        stranger = provider_scope(authority_id, uuid.uuid4())
        assert await unconfirmed_weeks(conn, scope=stranger, today=today) == {}
