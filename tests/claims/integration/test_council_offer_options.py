"""What a provider may claim (GET /api/v1/claims/offer, /options): the levels in effect on the claim date,
open to the caller's organisation, of the caller's authority; the clients of its current authorised
placements, by name. An authority with no level open to the provider (Telford & Wrekin) offers nothing."""

from __future__ import annotations

from datetime import date, timedelta

from shared.auth import Role
from tests.claims.integration.council_harness import (
    claims_api_fixture,  # noqa: F401  (the `claims_api` fixture)
    level_item,
    make_council,
    place_client,
    put_levels,
)

TODAY = date.today()


async def test_options_are_the_caller_s_levels_on_the_date_and_its_placed_clients(env, claims_api):
    council = await make_council(env, providers=2)
    mine, theirs = council.providers
    other = await make_council(env)
    assert (
        await put_levels(
            claims_api,
            council.headers,
            [
                level_item("IHF-MILEAGE"),  # client, all providers, £0.387
                level_item(
                    "FC-MILEAGE",
                    name="In-House Foster Carer - Foster Carer Mileage",
                    kind="provider",
                    providers=[str(mine.organisation_id)],
                ),
                level_item(
                    "FC-PARKING",
                    name="In-House Foster Carer - Parking",
                    kind="provider",
                    unit="Each",
                    unit_cost=None,
                ),
                level_item("THEIRS", name="Closed to me", providers=[str(theirs.organisation_id)]),
                level_item(
                    "OLD",
                    name="Ended",
                    effective_from="2024-04-01",
                    effective_to=(TODAY - timedelta(days=10)).isoformat(),
                ),
                level_item("NEXT", name="Not yet", effective_from=(TODAY + timedelta(days=1)).isoformat()),
            ],
        )
    ).status_code == 200
    assert (
        await put_levels(claims_api, other.headers, [level_item("ELSEWHERE", name="Other council")])
    ).status_code == 200

    zoe = await place_client(env, council, mine, "Zoe Sandwich")
    amy = await place_client(env, council, mine, "Amy Sandwich", end_date=TODAY - timedelta(days=20))
    await place_client(env, council, mine, "Zoe Sandwich", client_id=zoe)  # a second placement: listed once
    await place_client(env, council, mine, "Ended Long Ago", end_date=TODAY - timedelta(days=29))
    await place_client(env, council, mine, "Not Authorised", authorised=False)
    await place_client(env, council, mine, "Starts Tomorrow", start_date=TODAY + timedelta(days=1))
    await place_client(env, council, theirs, "Their Client")
    await place_client(env, other, other.providers[0], "Other Council's Client")

    headers = council.provider_headers(env)
    answer = await claims_api.get(f"/api/v1/claims/options?claim_date={TODAY.isoformat()}", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["offered"] is True
    assert [(lv["reference"], lv["unit"], lv["unit_cost"]) for lv in body["client_levels"]] == [
        ("IHF-MILEAGE", "Miles", "0.3870")
    ]
    assert [(lv["name"], lv["unit_cost"]) for lv in body["provider_levels"]] == [
        ("In-House Foster Carer - Foster Carer Mileage", "0.3870"),
        ("In-House Foster Carer - Parking", None),
    ]
    assert [(c["client_id"], c["name"]) for c in body["clients"]] == [
        (str(amy), "Amy Sandwich"),
        (str(zoe), "Zoe Sandwich"),
    ]
    assert set(body["client_levels"][0]) == {"service_level_id", "reference", "name", "unit", "unit_cost"}

    # On an earlier date: the level in effect then, and not the clients placed later.
    earlier = TODAY - timedelta(days=15)
    answer = await claims_api.get(f"/api/v1/claims/options?claim_date={earlier.isoformat()}", headers=headers)
    assert sorted(lv["reference"] for lv in answer.json()["client_levels"]) == ["IHF-MILEAGE", "OLD"]
    assert "Starts Tomorrow" not in answer.text
    # Without a date: today.
    assert (await claims_api.get("/api/v1/claims/options", headers=headers)).json() == body

    # The other provider of the same authority: its own level and clients, not mine.
    answer = await claims_api.get("/api/v1/claims/options", headers=council.provider_headers(env, 1))
    # By name: "Closed to me" (open to this one) before "In-House Fostering Placement - Mileage".
    assert [lv["reference"] for lv in answer.json()["client_levels"]] == ["THEIRS", "IHF-MILEAGE"]
    assert [lv["reference"] for lv in answer.json()["provider_levels"]] == ["FC-PARKING"]
    assert [c["name"] for c in answer.json()["clients"]] == ["Their Client"]

    assert (await claims_api.get("/api/v1/claims/offer", headers=headers)).json() == {"offered": True}


async def test_an_authority_with_no_level_for_the_provider_offers_nothing(env, claims_api):
    telford = await make_council(env, providers=2)
    headers = telford.provider_headers(env)
    await place_client(env, telford, telford.providers[0], "Placed Anyway")
    assert (await claims_api.get("/api/v1/claims/offer", headers=headers)).json() == {"offered": False}
    answer = await claims_api.get("/api/v1/claims/options", headers=headers)
    body = answer.json()
    assert (body["offered"], body["client_levels"], body["provider_levels"]) == (False, [], [])
    assert [c["name"] for c in body["clients"]] == ["Placed Anyway"]
    # A level named for the other provider only, and one ended: still nothing for this one.
    assert (
        await put_levels(
            claims_api,
            telford.headers,
            [
                level_item("ONLY-THEM", providers=[str(telford.providers[1].organisation_id)]),
                level_item("ENDED", effective_from="2024-04-01", effective_to="2025-03-31"),
            ],
        )
    ).status_code == 200
    assert (await claims_api.get("/api/v1/claims/offer", headers=headers)).json() == {"offered": False}
    assert (
        await claims_api.get("/api/v1/claims/offer", headers=telford.provider_headers(env, 1))
    ).json() == {"offered": True}


async def test_only_a_provider_with_one_off_claims_asks(env, claims_api):
    council = await make_council(env)
    assert (await put_levels(claims_api, council.headers, [level_item()])).status_code == 200
    care = council.provider_headers(env, role=Role.care)  # Care Management: no one-off claims
    finance = council.provider_headers(env, role=Role.finance, can_edit=False)
    for path in ("/api/v1/claims/offer", "/api/v1/claims/options"):
        assert (await claims_api.get(path, headers=care)).status_code == 403
        assert (await claims_api.get(path, headers=council.headers)).status_code == 403
        assert (await claims_api.get(path, headers=finance)).status_code == 200
        assert (await claims_api.get(path)).status_code == 401
    bad = await claims_api.get("/api/v1/claims/options?claim_date=30-11-2026", headers=finance)
    assert bad.status_code == 422
