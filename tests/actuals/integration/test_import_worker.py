"""The actuals worker (`python -m actuals worker`) takes pending imports by itself: its import loop
processes each file to the end, the valid one imported, the faulty one refused, and the uploader follows
the job's progress to 100% through GET /imports/{id}."""

from __future__ import annotations

import asyncio

from actuals.main import DEFINITION as ACTUALS
from shared.service.worker import run_worker
from tests.actuals.import_support import (
    actuals_api,
    add_provider,
    bearer,
    csv_file,
    env,
    lines_of,
    new_reference,
    row,
    upload,
    weeks_ago,
)
from tests.support.inprocess import eventually

__all__ = ["actuals_api", "env"]  # fixtures of the import tests' own environment


async def test_the_worker_imports_pending_files_by_itself(env, actuals_api):
    provider = await add_provider(env, clients=50)
    service, token = provider.service, provider.token(env)
    ref = new_reference()
    good = csv_file(*(row(ref, service.reference, c.reference, weeks_ago(1)) for c in provider.clients))
    bad = csv_file(row(new_reference(), service.reference, "NOPE", weeks_ago(1)))
    sent = [await upload(actuals_api, token, data) for data in (good, bad)]
    assert [s.status_code for s in sent] == [202, 202]
    ids = [s.json()["import_id"] for s in sent]

    stop = asyncio.Event()
    settings = env.settings(ACTUALS, import_poll_seconds=0.1)
    worker = asyncio.create_task(run_worker(ACTUALS, settings, stop=stop, relay=False, consume=False))
    try:

        async def finished() -> list[dict] | None:
            got = [
                (await actuals_api.get(f"/api/v1/actuals/imports/{i}", headers=bearer(token))).json()
                for i in ids
            ]
            return got if all(g["status"] != "pending" for g in got) else None

        done = await eventually(finished, timeout=60, interval=0.2)
    finally:
        stop.set()
        await asyncio.wait_for(worker, 30)
    assert [d["status"] for d in done] == ["imported", "refused"]
    assert done[0]["progress"] == {"done": 50, "total": 50, "percent": 100} and done[0]["rows"] == 50
    assert done[1]["errors"][0]["column"] == "client_reference"
    assert len(await lines_of(env, service)) == 50
