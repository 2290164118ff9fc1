"""The provider's services, the home page summary and the care package line items through the API:
filters, historical and unauthorised CPLIs, sorting, pages, the filters' choices and the CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from actuals.domain.weeks import week_commencing
from actuals.handlers.week_access import today
from shared.auth import Role, ScopeType
from tests.actuals.support import (
    CpliSpec,
    actuals_api,
    actuals_conn,
    add_clients,
    add_cplis,
    add_service,
    bearer,
    build_provider,
)

API = "/api/v1/actuals"


@pytest.fixture(scope="module")
async def api(env):
    async with actuals_api(env) as client:
        yield client


@pytest.fixture(scope="module")
async def home(env):
    """One provider: service 1 with 3 clients (one with a formula-looking name), a historical CPLI, an
    unauthorised one and one that ended 10 days ago; service 2 under the same contract with 1 client."""
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    day = today()
    async with actuals_conn(env) as conn:
        package = await build_provider(
            conn, authority_id=authority_id, organisation_id=organisation_id, clients=3, timetable_every=0
        )
        extra = await add_clients(
            conn,
            authority_id=authority_id,
            names=[
                "=cmd|' /C calc'!A0",
                "Historical Harry",
                "Unauthorised Una",
                "Recent Rita",
                "Other Olive",
            ],
        )
        specs = [
            CpliSpec(extra[0], package.hours_level_id, day - timedelta(days=300), units_per_week=Decimal(5)),
            CpliSpec(extra[1], package.hours_level_id, day - timedelta(days=300), day - timedelta(days=29)),
            CpliSpec(extra[2], package.hours_level_id, day - timedelta(days=5), authorised=False),
            CpliSpec(extra[3], package.hours_level_id, day - timedelta(days=300), day - timedelta(days=10)),
        ]
        await add_cplis(
            conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            contract_id=package.contract_id,
            service_id=package.service_id,
            specs=specs,
        )
        second = await add_service(
            conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            contract_id=package.contract_id,
            name="Day Care",
        )
        await add_cplis(
            conn,
            authority_id=authority_id,
            organisation_id=organisation_id,
            contract_id=package.contract_id,
            service_id=second,
            specs=[
                CpliSpec(
                    extra[4], package.weeks_level_id, day - timedelta(days=300), units_per_week=Decimal(1)
                )
            ],
        )
    token = bearer(env.token(authority_id=authority_id, organisation_id=organisation_id, role=Role.care))
    return {"package": package, "extra": extra, "second": second, "token": token}


async def test_services_lists_the_current_services_with_their_unconfirmed_weeks(api, env, home):
    answer = await api.get(f"{API}/services", headers=home["token"])
    assert answer.status_code == 200, answer.text
    services = {s["name"]: s for s in answer.json()}
    assert set(services) == {"Home Care", "Day Care"}
    home_care = services["Home Care"]
    assert home_care["service_id"] == str(home["package"].service_id)
    assert home_care["payment_basis"] == "actuals" and home_care["contract_id"] == str(
        home["package"].contract_id
    )
    assert home_care["unconfirmed_weeks"] == 12  # CPLIs for a year: every one of the 12 past weeks
    summary = (await api.get(f"{API}/summary", headers=home["token"])).json()
    assert summary == {"services": 2, "unconfirmed_weeks": 24}


async def test_confirming_a_past_week_takes_it_off_the_count(api, env):
    authority_id, organisation_id = uuid.uuid4(), uuid.uuid4()
    async with actuals_conn(env) as conn:
        package = await build_provider(
            conn, authority_id=authority_id, organisation_id=organisation_id, clients=2
        )
    token = bearer(env.token(authority_id=authority_id, organisation_id=organisation_id, role=Role.care))
    last_week = week_commencing(today()) - timedelta(weeks=1)
    path = f"{API}/services/{package.service_id}/weeks/{last_week.isoformat()}"
    generated = (await api.post(f"{path}/generate", headers=token)).json()
    (
        await api.post(f"{path}/confirm", json={"version": generated["version"]}, headers=token)
    ).raise_for_status()
    # the current week is never counted, even generated and unconfirmed
    (
        await api.post(
            f"{API}/services/{package.service_id}/weeks/{today().isoformat()}/generate", headers=token
        )
    ).raise_for_status()
    assert (await api.get(f"{API}/summary", headers=token)).json() == {"services": 1, "unconfirmed_weeks": 11}


async def test_cplis_hide_historical_and_unauthorised_unless_asked(api, home):
    def names(answer):
        assert answer.status_code == 200, answer.text
        return {c["client_name"] for c in answer.json()}

    shown = names(await api.get(f"{API}/cplis", headers=home["token"]))
    assert "Historical Harry" not in shown and "Unauthorised Una" not in shown
    assert "Recent Rita" in shown  # ended 10 days ago: not historical yet
    assert len(shown) == 6
    assert "Historical Harry" in names(
        await api.get(f"{API}/cplis", params={"include_historical": "true"}, headers=home["token"])
    )
    assert "Unauthorised Una" in names(
        await api.get(f"{API}/cplis", params={"include_unauthorised": "true"}, headers=home["token"])
    )


async def test_cplis_filter_by_service_client_and_service_level(api, home):
    package = home["package"]
    by_service = (
        await api.get(f"{API}/cplis", params={"service_id": str(home["second"])}, headers=home["token"])
    ).json()
    assert [c["client_name"] for c in by_service] == ["Other Olive"]
    assert by_service[0]["service_name"] == "Day Care" and by_service[0]["cost"] == "646.06"
    by_client = (
        await api.get(f"{API}/cplis", params={"client_id": str(package.client_ids[0])}, headers=home["token"])
    ).json()
    assert [c["client_id"] for c in by_client] == [str(package.client_ids[0])]
    by_level = (
        await api.get(
            f"{API}/cplis", params={"service_level_id": str(package.weeks_level_id)}, headers=home["token"]
        )
    ).json()
    assert {c["service_level_name"] for c in by_level} == {"Band 4 - Single Room - Long Term"}


async def test_cplis_sort_by_whitelisted_keys_both_ways_and_page(api, home):
    asc = (await api.get(f"{API}/cplis", params={"sort": "client"}, headers=home["token"])).json()
    desc = (await api.get(f"{API}/cplis", params={"sort": "-client"}, headers=home["token"])).json()
    assert [c["client_name"] for c in asc] == sorted(c["client_name"] for c in asc)
    assert [c["cpli_id"] for c in desc] == [c["cpli_id"] for c in reversed(asc)]
    by_service = (await api.get(f"{API}/cplis", params={"sort": "-service"}, headers=home["token"])).json()
    assert by_service[0]["service_name"] == "Home Care" and by_service[-1]["service_name"] == "Day Care"
    for key in ("ssref", "service_level", "start_date", "end_date", "authorised"):
        assert (await api.get(f"{API}/cplis", params={"sort": key}, headers=home["token"])).status_code == 200
    bad = await api.get(f"{API}/cplis", params={"sort": "name; DROP TABLE x"}, headers=home["token"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "sort"

    first = await api.get(f"{API}/cplis", params={"limit": 4}, headers=home["token"])
    assert len(first.json()) == 4 and 'rel="next"' in first.headers["link"]
    link = first.headers["link"]
    rest = await api.get(link[1 : link.index(">")], headers=home["token"])
    assert [c["cpli_id"] for c in first.json() + rest.json()] == [c["cpli_id"] for c in asc]
    assert "link" not in rest.headers


async def test_filter_choices(api, home):
    choices = (await api.get(f"{API}/cplis/filters", headers=home["token"])).json()
    assert {s["name"] for s in choices["services"]} == {"Home Care", "Day Care"}
    assert "Other Olive" in {c["name"] for c in choices["clients"]}
    assert all(c["ssref"] for c in choices["clients"])
    of_second = (
        await api.get(
            f"{API}/cplis/filters", params={"service_id": str(home["second"])}, headers=home["token"]
        )
    ).json()
    assert [c["name"] for c in of_second["clients"]] == ["Other Olive"]
    assert [s["name"] for s in of_second["service_levels"]] == ["Band 4 - Single Room - Long Term"]


async def test_csv_has_a_bom_the_columns_and_neutralised_formulas(api, home):
    answer = await api.get(f"{API}/cplis.csv", headers=home["token"])
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["SSRef", "Client", "Service", "Service Level"]
    assert len(rows) == 1 + 6  # same filters as the list: no historical, no unauthorised
    assert "'=cmd|' /C calc'!A0" in [r[1] for r in rows]
    assert all(not r[1].startswith("=") for r in rows)
    with_all = await api.get(
        f"{API}/cplis.csv",
        params={"include_historical": "true", "include_unauthorised": "true"},
        headers=home["token"],
    )
    assert len(list(csv.reader(io.StringIO(with_all.content.decode("utf-8-sig"))))) == 1 + 8


async def test_a_service_scoped_user_sees_only_that_service(api, env, home):
    package = home["package"]
    scoped = bearer(
        env.token(
            authority_id=package.authority_id,
            organisation_id=package.organisation_id,
            role=Role.care,
            scope_type=ScopeType.service,
            scope_id=home["second"],
        )
    )
    assert [s["name"] for s in (await api.get(f"{API}/services", headers=scoped)).json()] == ["Day Care"]
    assert [c["client_name"] for c in (await api.get(f"{API}/cplis", headers=scoped)).json()] == [
        "Other Olive"
    ]
    other = await api.get(f"{API}/services/{package.service_id}/weeks/{today().isoformat()}", headers=scoped)
    assert other.status_code == 404


async def test_roles_without_care_packages_are_refused(api, env, home):
    package = home["package"]
    finance = bearer(
        env.token(
            authority_id=package.authority_id, organisation_id=package.organisation_id, role=Role.finance
        )
    )
    for path in ("/services", "/summary", "/cplis", "/cplis/filters", "/cplis.csv"):
        assert (await api.get(f"{API}{path}", headers=finance)).status_code == 403, path
