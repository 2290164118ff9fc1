"""Commissioned Vs Actuals from actuals' confirmed weeks (and identity's contracts and services, actuals'
clients): per contract, client, service and week, the planned units and cost against the delivered, over
a financial year (1 April to 31 March); an unlocked week left out; and the organisation directory."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from shared.events import (
    ClientUpserted,
    ConfirmedLine,
    ContractUpserted,
    OrganisationUpserted,
    ProviderServiceUpserted,
    WeekConfirmed,
    WeekUnlocked,
)
from tests.reports.integration.readmodel import deliver, rows

NOW = datetime.now(UTC)


def confirmed_line(client_id, planned, actual, rate="18.54"):
    return ConfirmedLine(
        line_id=uuid.uuid4(),
        cpli_id=uuid.uuid4(),
        client_id=client_id,
        client_reference="C1",
        service_level_id=uuid.uuid4(),
        unit="Hours",
        actual=Decimal(actual),
        planned=Decimal(planned),
        frustrated=Decimal("0"),
        missed=Decimal("0"),
        extra=Decimal("0"),
        unit_rate=Decimal(rate),
        averaged=False,
        total=(Decimal(actual) * Decimal(rate)).quantize(Decimal("0.01")),
        planned_total=(Decimal(planned) * Decimal(rate)).quantize(Decimal("0.01")),
        comment="",
    )


def week(ids, monday, lines, revision=1, week_id=None):
    authority, organisation, contract, service = ids
    return WeekConfirmed(
        week_id=week_id or uuid.uuid4(),
        authority_id=authority,
        organisation_id=organisation,
        contract_id=contract,
        service_id=service,
        week_commencing=monday,
        payment_basis="actuals",
        lines=lines,
        total=sum((x.total for x in lines), Decimal("0")),
        planned_total=sum((x.planned_total for x in lines), Decimal("0")),
        confirmed_by="user-1",
        confirmed_at=NOW,
        revision=revision,
    )


async def test_commissioned_against_actuals_week_by_week_over_a_financial_year(env):
    authority, organisation, contract, service = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ids = (authority, organisation, contract, service)
    bart, lisa = uuid.uuid4(), uuid.uuid4()
    reference = [
        ContractUpserted(
            contract_id=contract,
            authority_id=authority,
            organisation_id=organisation,
            reference="C-1",
            name="Home Care North",
            payment_basis="actuals",
            frequency="weekly",
            pays_frustrated=False,
            pays_extras=False,
            vat_registered=False,
            active=True,
            revision=1,
            updated_at=NOW,
        ),
        ProviderServiceUpserted(
            service_id=service,
            authority_id=authority,
            organisation_id=organisation,
            contract_id=contract,
            reference="S-1",
            name="Domiciliary",
            active=True,
            revision=1,
            updated_at=NOW,
        ),
        ClientUpserted(
            client_id=bart,
            authority_id=authority,
            reference="C1",
            name="Simpson, Bart",
            revision=1,
            updated_at=NOW,
        ),
        ClientUpserted(
            client_id=lisa,
            authority_id=authority,
            reference="C2",
            name="Simpson, Lisa",
            revision=1,
            updated_at=NOW,
        ),
    ]
    march = week(ids, date(2019, 3, 25), [confirmed_line(bart, "10", "9")])  # financial year 2018/19
    april = week(
        ids,
        date(2019, 4, 1),
        [confirmed_line(bart, "10", "9"), confirmed_line(bart, "2", "2.5"), confirmed_line(lisa, "7", "7")],
    )
    later = week(ids, date(2020, 3, 30), [confirmed_line(lisa, "7", "6.25")])  # 30 Mar: still 2019/20
    unlocked_id = uuid.uuid4()
    unlocked = week(ids, date(2019, 4, 8), [confirmed_line(bart, "10", "10")], week_id=unlocked_id)
    await deliver(
        env,
        *reference,
        march,
        april,
        later,
        unlocked,
        WeekUnlocked(
            week_id=unlocked_id,
            authority_id=authority,
            organisation_id=organisation,
            service_id=service,
            week_commencing=date(2019, 4, 8),
            reason="correction",
            unlocked_by="council",
            unlocked_at=NOW,
            revision=2,
        ),
    )

    def expected(client, monday, lines):
        planned = sum((x.planned for x in lines), Decimal("0"))
        actual = sum((x.actual for x in lines), Decimal("0"))
        return {
            "contract": "Home Care North",
            "client": client,
            "service": "Domiciliary",
            "week_commencing": monday,
            "commissioned_units": planned,
            "actual_units": actual,
            "variance_units": actual - planned,
            "commissioned_amount": sum((x.planned_total for x in lines), Decimal("0")),
            "actual_amount": sum((x.total for x in lines), Decimal("0")),
        }

    got = await rows(
        env,
        "commissioned-vs-actuals",
        authority_id=authority,
        organisation_id=organisation,
        financial_year=2019,
    )
    assert got == [
        expected("Simpson, Bart", date(2019, 4, 1), april.lines[:2]),
        expected("Simpson, Lisa", date(2019, 4, 1), april.lines[2:]),
        expected("Simpson, Lisa", date(2020, 3, 30), later.lines),
    ]
    assert got[0]["actual_amount"] == Decimal("213.21")  # 9 h and 2.5 h at 18.54
    assert got[0]["variance_units"] == Decimal("-0.5")
    council = await rows(
        env, "commissioned-vs-actuals", authority_id=authority, financial_year=2018, contract_id=contract
    )
    assert [r["week_commencing"] for r in council] == [date(2019, 3, 25)]
    assert (
        await rows(
            env,
            "commissioned-vs-actuals",
            authority_id=uuid.uuid4(),
            contract_id=contract,
            financial_year=2019,
        )
        == []
    )
    assert (
        await rows(
            env,
            "commissioned-vs-actuals",
            authority_id=authority,
            organisation_id=uuid.uuid4(),
            financial_year=2019,
        )
        == []
    )


async def test_the_organisation_directory_of_the_authority(env):
    authority = uuid.uuid4()
    made = [
        OrganisationUpserted(
            organisation_id=uuid.uuid4(),
            authority_id=authority,
            name=name,
            reference=ref,
            active=active,
            revision=1,
            updated_at=NOW,
        )
        for name, ref, active in (("Zest Care", "P2", True), ("Abbey Homes", "P1", False))
    ]
    await deliver(env, *made)
    assert await rows(env, "organisation-directory", authority_id=authority) == [
        {"name": "Abbey Homes", "reference": "P1", "status": "Closed"},
        {"name": "Zest Care", "reference": "P2", "status": "Active"},
    ]
    assert await rows(
        env, "organisation-directory", authority_id=authority, organisation_id=made[0].organisation_id
    ) == [{"name": "Zest Care", "reference": "P2", "status": "Active"}]
