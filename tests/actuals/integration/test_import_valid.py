"""A valid file imports every row, all at once, with costs from the contract's policy and the rate
history; a week already there is updated (its version bumped once); the export imports back unchanged."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from tests.actuals.import_support import (
    THIS_WEEK,
    actuals_api,
    actuals_runtime,
    add_provider,
    bearer,
    csv_file,
    env,
    import_file,
    lines_of,
    new_reference,
    row,
    weeks_ago,
    weeks_of,
)

__all__ = ["actuals_api", "actuals_runtime", "env"]  # fixtures of the import tests' own environment


async def test_a_valid_10000_row_file_imports_every_row(env, actuals_api, actuals_runtime):
    provider = await add_provider(env, clients=2000)
    service = provider.service
    ref = new_reference()
    rows = [
        row(
            ref,
            service.reference,
            c.reference,
            weeks_ago(k),
            actual="9.75",
            planned="10",
            missed="0.25",
            comment="Carer ill",
        )
        for k in range(1, 6)
        for c in provider.clients
    ]
    assert len(rows) == 10_000
    token = provider.token(env)
    done = await import_file(actuals_api, actuals_runtime, token, csv_file(*rows))
    assert done["status"] == "imported", done["errors"]
    assert done["rows"] == 10_000 and done["error_count"] == 0 and done["errors"] == []
    assert done["progress"] == {"done": 10_000, "total": 10_000, "percent": 100}
    lines = await lines_of(env, service)
    assert len(lines) == 10_000
    line = lines[(weeks_ago(1), provider.clients[0].cpli_id)]
    assert (line["actual"], line["planned"], line["missed"], line["comment"]) == (
        Decimal("9.75"),
        Decimal("10"),
        Decimal("0.25"),
        "Carer ill",
    )
    # 9.75 hours at £20.0000 on actuals; planned 10 hours.
    assert (line["total"], line["planned_total"], line["unit_rate"], line["entered"]) == (
        Decimal("195.00"),
        Decimal("200.00"),
        Decimal("20.0000"),
        True,
    )
    weeks = await weeks_of(env, service)
    assert sorted(weeks) == sorted(weeks_ago(k) for k in range(1, 6))
    # The job is visible through the jobs API too, succeeded.
    job = await actuals_api.get(f"/api/v1/actuals/jobs/{done['job_id']}", headers=bearer(token))
    assert job.json()["state"] == "succeeded"


async def test_a_mid_week_rate_change_is_pro_rated_and_the_week_bumped_once(
    env, actuals_api, actuals_runtime
):
    week = weeks_ago(2)
    provider = await add_provider(
        env, clients=2, rate="21.0000", rate_changes=[(week + timedelta(days=3), "28.0000")]
    )
    service = provider.service
    token = provider.token(env)
    first = [row(new_reference(), service.name, c.reference, week) for c in provider.clients[:1]]
    assert (await import_file(actuals_api, actuals_runtime, token, csv_file(*first)))["status"] == "imported"
    version = (await weeks_of(env, service))[week]["version"]
    ref = new_reference()
    second = [
        row(ref, service.name.upper(), c.reference, week, actual="7", comment="Short week: hospital")
        for c in provider.clients
    ]
    done = await import_file(actuals_api, actuals_runtime, token, csv_file(*second))
    assert done["status"] == "imported", done["errors"]
    assert (await weeks_of(env, service))[week]["version"] == version + 1
    line = (await lines_of(env, service))[(week, provider.clients[0].cpli_id)]
    # 3 days at 21 and 4 at 28: 7 hours x (3x21 + 4x28) / 7 = 175.00; shown at the week's average.
    assert (line["total"], line["unit_rate"], line["averaged"]) == (
        Decimal("175.00"),
        Decimal("25.0000"),
        True,
    )


async def test_the_export_imports_back_unchanged(env, actuals_api, actuals_runtime):
    provider = await add_provider(env, clients=3)
    service = provider.service
    token = provider.token(env)
    ref = new_reference()
    rows = [
        row(
            ref,
            service.reference,
            provider.clients[0].reference,
            weeks_ago(1),
            actual="8.5",
            comment="Hospital, 2 days",
        ),
        row(ref, service.reference, provider.clients[1].reference, weeks_ago(1), visits=""),
        row(
            ref,
            service.reference,
            provider.clients[2].reference,
            weeks_ago(2),
            extra="1",
            actual="11",
            comment='=cmd|" /C calc"!A0',
        ),
    ]
    assert (await import_file(actuals_api, actuals_runtime, token, csv_file(*rows)))["status"] == "imported"
    before = await lines_of(env, service)
    versions = {w: r["version"] for w, r in (await weeks_of(env, service)).items()}
    exported = await actuals_api.get(
        "/api/v1/actuals/export.csv",
        params={"service_id": str(service.service_id), "from": str(weeks_ago(3)), "to": str(THIS_WEEK)},
        headers=bearer(token),
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(table) == 4
    # The formula-looking comment is stored as text and neutralised on export.
    assert [r[10] for r in table[1:]].count('\'=cmd|" /C calc"!A0') == 1
    assert before[(weeks_ago(2), provider.clients[2].cpli_id)]["comment"] == '=cmd|" /C calc"!A0'
    again = text.replace(table[1][0], new_reference())
    done = await import_file(actuals_api, actuals_runtime, token, again.encode())
    assert done["status"] == "imported", done["errors"]
    after = await lines_of(env, service)
    keep = (
        "actual",
        "planned",
        "frustrated",
        "missed",
        "extra",
        "visits",
        "comment",
        "total",
        "planned_total",
    )
    assert {k: tuple(v[c] for c in keep) for k, v in after.items()} == {
        k: tuple(v[c] for c in keep) for k, v in before.items()
    }
    # Each week touched again got one more version (the protocol), nothing else changed.
    assert {w: r["version"] for w, r in (await weeks_of(env, service)).items()} == {
        w: v + 1 for w, v in versions.items()
    }


async def test_the_export_has_the_generated_lines_not_yet_entered(env, actuals_api, actuals_runtime):
    """A week generated and not edited: its download has every line (its actual the plan), and it
    imports back unchanged. A live probe downloaded such a week and got the header alone."""
    provider = await add_provider(env, clients=3)
    service = provider.service
    token = provider.token(env)
    week = weeks_ago(1)
    generated = await actuals_api.post(
        f"/api/v1/actuals/services/{service.service_id}/weeks/{week.isoformat()}/generate",
        headers=bearer(token),
    )
    assert generated.status_code == 200, generated.text
    before = await lines_of(env, service)
    assert len(before) == 3 and not any(line["entered"] for line in before.values())
    exported = await actuals_api.get(
        "/api/v1/actuals/export.csv",
        params={"service_id": str(service.service_id), "from": str(week), "to": str(week)},
        headers=bearer(token),
    )
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8").lstrip("\ufeff"))))
    assert sorted(r[2] for r in table[1:]) == sorted(c.reference for c in provider.clients)
    assert all(r[4] == r[5] for r in table[1:])  # actual = planned
    done = await import_file(
        actuals_api,
        actuals_runtime,
        token,
        exported.content.replace(table[1][0].encode(), new_reference().encode()),
    )
    assert done["status"] == "imported", done["errors"]
    keep = ("actual", "planned", "frustrated", "missed", "extra", "visits", "comment", "total")
    assert {k: tuple(v[c] for c in keep) for k, v in (await lines_of(env, service)).items()} == {
        k: tuple(v[c] for c in keep) for k, v in before.items()
    }


async def test_the_template_is_the_documented_header_and_example(actuals_api, env):
    provider = await add_provider(env, clients=1)
    got = await actuals_api.get("/api/v1/actuals/imports/template.csv", headers=bearer(provider.token(env)))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    lines = got.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "file_reference,service,client_reference,week_commencing,actual,planned,frustrated,missed,extra,visits,comment",
        "CM-2026-48,Home Care,100234,23/11/2026,10,10,0,0,0,14,",
        "CM-2026-48,Home Care,100235,23/11/2026,9.75,10,0,0.25,0,13,Carer ill on Friday",
    ]
    assert (await actuals_api.get("/api/v1/actuals/imports/template.csv")).status_code == 401
