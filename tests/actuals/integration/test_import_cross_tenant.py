"""An import is its provider's alone: another provider's (or council's) import id is 404, the same as an
id that does not exist; a file naming another provider's service or clients gets the same errors as
names that exist nowhere (nothing confirms another tenant's data); the export of another provider's
service is 404."""

from __future__ import annotations

import uuid

from tests.actuals.import_support import (
    actuals_api,
    actuals_runtime,
    add_provider,
    bearer,
    csv_file,
    env,
    import_file,
    new_reference,
    row,
    upload,
    weeks_ago,
)

__all__ = ["actuals_api", "actuals_runtime", "env"]  # fixtures of the import tests' own environment


async def test_another_providers_import_is_not_found(env, actuals_api, actuals_runtime):
    mine = await add_provider(env, clients=1)
    neighbour = await add_provider(env, clients=1, authority_id=mine.authority_id)
    elsewhere = await add_provider(env, clients=1)
    ref = new_reference()
    bad = csv_file(row(ref, mine.service.reference, "NOPE", weeks_ago(1)))
    done = await import_file(actuals_api, actuals_runtime, mine.token(env), bad)
    assert done["status"] == "refused"
    paths = [
        f"/api/v1/actuals/imports/{done['import_id']}",
        f"/api/v1/actuals/imports/{done['import_id']}/errors.csv",
        f"/api/v1/actuals/jobs/{done['job_id']}",
    ]
    for path in paths:
        assert (await actuals_api.get(path, headers=bearer(mine.token(env)))).status_code == 200
    missing = [
        p.replace(done["import_id"], str(uuid.uuid4())).replace(done["job_id"], str(uuid.uuid4()))
        for p in paths
    ]
    for token in (
        neighbour.token(env),
        elsewhere.token(env),
        env.council_token(elsewhere.authority_id),
    ):
        for path, unknown in zip(paths, missing, strict=True):
            got = await actuals_api.get(path, headers=bearer(token))
            nothing = await actuals_api.get(unknown, headers=bearer(token))
            assert got.status_code == nothing.status_code == 404, (path, got.text)
            # The same words (a job's message names the id asked for).
            said = got.json()["detail"].replace(done["job_id"], "<id>")
            assert said == nothing.json()["detail"].replace(unknown.rsplit("/", 1)[-1], "<id>")


async def test_a_narrower_user_does_not_see_the_organisations_import(env, actuals_api, actuals_runtime):
    provider = await add_provider(env, clients=1)
    data = csv_file(
        row(new_reference(), provider.service.reference, provider.clients[0].reference, weeks_ago(1))
    )
    sent = await upload(actuals_api, provider.token(env), data)
    assert sent.status_code == 202
    path = f"/api/v1/actuals/imports/{sent.json()['import_id']}"
    assert (
        await actuals_api.get(path, headers=bearer(provider.service_token(env, provider.service)))
    ).status_code == 404
    # The service-scoped user's own import is theirs, and the organisation's users see it too.
    data = csv_file(
        row(new_reference(), provider.service.reference, provider.clients[0].reference, weeks_ago(2))
    )
    theirs = await upload(actuals_api, provider.service_token(env, provider.service), data)
    assert theirs.status_code == 202, theirs.text
    for token in (provider.service_token(env, provider.service), provider.token(env)):
        got = await actuals_api.get(
            f"/api/v1/actuals/imports/{theirs.json()['import_id']}", headers=bearer(token)
        )
        assert got.status_code == 200


async def test_a_file_naming_another_providers_service_or_clients_gets_the_errors_of_unknown_ones(
    env, actuals_api, actuals_runtime
):
    mine = await add_provider(env, clients=1)
    for other in (
        await add_provider(env, clients=1, authority_id=mine.authority_id),
        await add_provider(env, clients=1),
    ):
        token = mine.token(env)
        # Their service, by reference and by name, against a service that exists nowhere.
        for theirs, unknown in ((other.service.reference, "S-NOWHERE"), (other.service.name, "Nowhere Care")):
            for name in (theirs, unknown):
                data = csv_file(row(new_reference(), name, other.clients[0].reference, weeks_ago(1)))
                done = await import_file(actuals_api, actuals_runtime, token, data)
                assert done["errors"] == [
                    {
                        "row": 2,
                        "column": "service",
                        "message": f"{name!r} is not one of your services (its reference or name)",
                    }
                ]
        # Their client on my service, against a client that exists nowhere: the same words.
        for client in (other.clients[0].reference, "SS-NOWHERE"):
            data = csv_file(row(new_reference(), mine.service.reference, client, weeks_ago(1)))
            done = await import_file(actuals_api, actuals_runtime, token, data)
            assert done["errors"] == [
                {
                    "row": 2,
                    "column": "client_reference",
                    "message": f"{client!r} is not a client with a care package line on {mine.service.name}",
                }
            ]


async def test_another_providers_service_cannot_be_exported(env, actuals_api, actuals_runtime):
    mine = await add_provider(env, clients=1)
    other = await add_provider(env, clients=1, authority_id=mine.authority_id)
    data = csv_file(row(new_reference(), other.service.reference, other.clients[0].reference, weeks_ago(1)))
    assert (await import_file(actuals_api, actuals_runtime, other.token(env), data))["status"] == "imported"
    answers = []
    for service_id in (other.service.service_id, uuid.uuid4()):
        got = await actuals_api.get(
            "/api/v1/actuals/export.csv",
            params={"service_id": str(service_id), "from": str(weeks_ago(2)), "to": str(weeks_ago(0))},
            headers=bearer(mine.token(env)),
        )
        answers.append((got.status_code, got.json()["detail"]))
    assert answers[0] == answers[1] == (404, "There is no service with that id that you can see.")
