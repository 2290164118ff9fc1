"""The jobs routes of the kit: a provider sees its organisation's jobs with their progress, the council
every job of its authority (the failed ones with their reason), nobody another tenant's."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from actuals.main import DEFINITION as ACTUALS
from shared.auth import Role
from shared.jobs import Jobs
from shared.jobs_api import jobs_routers
from shared.migrations import JOBS
from shared.service import create_api
from shared.tenancy import Tenancy
from tests.support.inprocess import serve
from tests.support.kit_schema import kit_schema


@pytest.fixture(scope="module")
async def world(env):
    async with kit_schema(env, JOBS) as kit:
        jobs = Jobs(kit.schema)
        definition = dataclasses.replace(ACTUALS, routers=jobs_routers("actuals", jobs))
        async with serve(create_api(definition, env.settings(ACTUALS))) as api:
            yield api, jobs, kit


async def test_a_provider_sees_its_jobs_with_progress_and_never_another_tenants(env, world):
    api, jobs, kit = world
    authority, mine, theirs = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    own = await jobs.create(
        kit.pool,
        authority_id=authority,
        organisation_id=mine,
        kind="actuals.import",
        created_by="u1",
        total=4,
    )
    await jobs.start(kit.pool, tenancy=Tenancy(authority, mine), job_id=own.job_id)
    await jobs.advance(kit.pool, tenancy=Tenancy(authority, mine), job_id=own.job_id, done=1)
    other = await jobs.create(
        kit.pool, authority_id=authority, organisation_id=theirs, kind="actuals.import", created_by="u2"
    )
    token = {"authorization": "Bearer " + env.token(authority_id=authority, organisation_id=mine)}

    listed = await api.get("/api/v1/actuals/jobs", headers=token)
    assert listed.status_code == 200
    assert [(j["job_id"], j["state"], j["done"], j["percent"]) for j in listed.json()] == [
        (str(own.job_id), "running", 1, 25)
    ]
    assert "authority_id" not in listed.json()[0]
    assert (await api.get(f"/api/v1/actuals/jobs/{own.job_id}", headers=token)).json()["total"] == 4
    hidden = await api.get(f"/api/v1/actuals/jobs/{other.job_id}", headers=token)
    assert hidden.status_code == 404 and hidden.headers["content-type"] == "application/problem+json"
    refused = await api.get("/council/v1/actuals/jobs", headers=token)
    assert refused.status_code == 403


async def test_the_council_follows_every_job_of_its_authority_and_filters_the_failed(env, world):
    api, jobs, kit = world
    authority, org_a, org_b = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    failed = await jobs.create(
        kit.pool, authority_id=authority, organisation_id=org_a, kind="actuals.import", created_by="u"
    )
    await jobs.fail(
        kit.pool, tenancy=Tenancy(authority, org_a), job_id=failed.job_id, reason="row 7: no such SSRef"
    )
    await jobs.create(
        kit.pool, authority_id=authority, organisation_id=org_b, kind="actuals.import", created_by="u"
    )
    await jobs.create(
        kit.pool, authority_id=uuid.uuid4(), organisation_id=org_a, kind="actuals.import", created_by="u"
    )
    council = {"authorization": "Bearer " + env.token(authority_id=authority, role=Role.council)}

    every = await api.get("/council/v1/actuals/jobs", headers=council)
    assert every.status_code == 200 and len(every.json()) == 2
    only_failed = await api.get("/council/v1/actuals/jobs", params={"state": "failed"}, headers=council)
    assert [(j["job_id"], j["failure_reason"]) for j in only_failed.json()] == [
        (str(failed.job_id), "row 7: no such SSRef")
    ]
    bad = await api.get("/council/v1/actuals/jobs", params={"state": "finished"}, headers=council)
    assert bad.status_code == 422 and "state" in bad.json()["detail"]
