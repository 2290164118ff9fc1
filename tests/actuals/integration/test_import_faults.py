"""Each kind of fault of an import file gets a precise error (row, column, message) and changes nothing:
the faults of the whole file at upload (422/413), every other one by the job, which then refuses the
whole file (all or nothing)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from shared.auth import Role
from tests.actuals.import_support import (
    HEADER,
    actuals_api,
    actuals_runtime,
    add_clients,
    add_provider,
    add_service,
    bearer,
    connect,
    csv_file,
    env,
    import_file,
    lines_of,
    new_reference,
    row,
    upload,
    weeks_ago,
    weeks_of,
)

__all__ = ["actuals_api", "actuals_runtime", "env"]  # fixtures of the import tests' own environment


@pytest.fixture
async def provider(env):
    return await add_provider(env, clients=3)


async def refused(env, api, runtime, provider, data: bytes, token: str | None = None) -> list[tuple]:
    """Import `data`: it must be refused, nothing written; answers the errors as (row, column, message)."""
    before = await lines_of(env, provider.service), await weeks_of(env, provider.service)
    done = await import_file(api, runtime, token or provider.token(env), data)
    assert done["status"] == "refused", done
    assert done["error_count"] == len(done["errors"]) or done["error_count"] > 100
    assert (await lines_of(env, provider.service), await weeks_of(env, provider.service)) == before
    job = await api.get(
        f"/api/v1/actuals/jobs/{done['job_id']}", headers=bearer(token or provider.token(env))
    )
    assert job.json()["state"] == "failed" and "nothing was imported" in job.json()["failure_reason"]
    return [(e["row"], e["column"], e["message"]) for e in done["errors"]]


async def refused_at_once(api, token: str, data: bytes, status: int = 422) -> list[tuple]:
    sent = await upload(api, token, data)
    assert sent.status_code == status, sent.text
    problem = sent.json()
    assert sent.headers["content-type"].startswith("application/problem+json")
    return [(e["row"], e["column"], e["message"]) for e in problem.get("errors") or []] or [problem["detail"]]


def one(provider, week=None, **cells) -> bytes:
    """A file with a good row, then the row under test (row 3): a fault anywhere refuses both."""
    s, c = provider.service, provider.clients
    ref = new_reference()
    return csv_file(
        row(ref, s.reference, c[0].reference, weeks_ago(1)),
        row(ref, s.reference, cells.pop("client", c[1].reference), week or weeks_ago(1), **cells),
    )


async def test_an_unknown_client(env, actuals_api, actuals_runtime, provider):
    errors = await refused(env, actuals_api, actuals_runtime, provider, one(provider, client="NOPE-1"))
    assert errors == [
        (
            3,
            "client_reference",
            f"'NOPE-1' is not a client with a care package line on {provider.service.name}",
        )
    ]


async def test_a_client_outside_the_users_scope_is_told_as_unknown(
    env, actuals_api, actuals_runtime, provider
):
    # Another service of the same organisation, with its own client: a user scoped to the first service
    # may not import for it, and its client is "not a client" of the first service.
    other = await add_service(env, provider.authority_id, provider.organisation_id, name="Night Care")
    (theirs,) = await add_clients(env, provider, other, count=1)
    token = provider.service_token(env, provider.service)
    errors = await refused(
        env, actuals_api, actuals_runtime, provider, one(provider, client=theirs.reference), token
    )
    assert errors == [
        (
            3,
            "client_reference",
            f"{theirs.reference!r} is not a client with a care package line on {provider.service.name}",
        )
    ]
    ref = new_reference()
    data = csv_file(row(ref, other.reference, theirs.reference, weeks_ago(1)))
    errors = await refused(env, actuals_api, actuals_runtime, provider, data, token)
    assert errors == [
        (2, "service", f"{other.reference!r} is not one of your services (its reference or name)")
    ]


async def test_a_wrong_week(env, actuals_api, actuals_runtime):
    provider = await add_provider(env, clients=2, cpli_start=weeks_ago(2))
    tuesday = weeks_ago(1).replace(day=weeks_ago(1).day)  # a Monday; the Tuesday after it:
    from datetime import timedelta

    errors = await refused(
        env, actuals_api, actuals_runtime, provider, one(provider, week=tuesday + timedelta(days=1))
    )
    assert errors == [
        (
            3,
            "week_commencing",
            f"{tuesday + timedelta(days=1):%d/%m/%Y} is not a Monday (the week's first day)",
        )
    ]
    # A Monday, but before the client's CPLI started.
    errors = await refused(env, actuals_api, actuals_runtime, provider, one(provider, week=weeks_ago(5)))
    assert errors == [
        (
            3,
            "week_commencing",
            f"client {provider.clients[1].reference!r} has no authorised care package line on"
            f" {provider.service.name} in the week commencing {weeks_ago(5):%d/%m/%Y}",
        )
    ]


async def test_a_future_week(env, actuals_api, actuals_runtime, provider):
    errors = await refused(env, actuals_api, actuals_runtime, provider, one(provider, week=weeks_ago(-1)))
    assert errors == [
        (3, "week_commencing", f"the week commencing {weeks_ago(-1):%d/%m/%Y} has not started yet")
    ]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"actual": "ten"}, [(3, "actual", "'ten' is not a number (write digits, e.g. 58.05)")]),
        ({"actual": "0.3", "comment": "x"}, [(3, "actual", "goes in steps of 0.25 (0.3 is not one)")]),
        ({"missed": "-1", "comment": "x"}, [(3, "missed", "cannot be negative (it is -1)")]),
        ({"actual": "99999", "comment": "x"}, [(3, "actual", "must be at most 168 in a week (it is 99999)")]),
        ({"actual": "9.5"}, [(3, "comment", "is required when delivery differs from plan")]),
        ({"visits": "7.5"}, [(3, "visits", "must be a whole number from 0 to 1000 (not '7.5')")]),
        # These four crashed the job three times ("could not be processed after 3 attempts"): int("²")
        # after str.isdigit(), an integer column overflowed, a NUL that PostgreSQL's text cannot hold.
        ({"visits": "²"}, [(3, "visits", "must be a whole number from 0 to 1000 (not '²')")]),
        # int() refuses a string of more than 4,300 digits (a ValueError, which crashed the reader)
        (
            {"visits": "9" * 5000},
            [(3, "visits", f"must be a whole number from 0 to 1000 (not {'9' * 20!r})")],
        ),
        ({"visits": "-1"}, [(3, "visits", "must be a whole number from 0 to 1000 (it is -1)")]),
        (
            {"visits": "2147483648"},
            [(3, "visits", "must be a whole number from 0 to 1000 (not '2147483648')")],
        ),
        ({"visits": "5000"}, [(3, "visits", "must be a whole number from 0 to 1000 (it is 5000)")]),
        (
            {"actual": "9.5", "comment": "x" * 1001},
            [(3, "comment", "must be 1,000 characters or fewer (it has 1,001)")],
        ),
    ],
    ids=[
        "bad-number",
        "0.3-units",
        "negative",
        "over-a-week",
        "missing-comment",
        "bad-visits",
        "superscript-visits",
        "5000-digit-visits",
        "negative-visits",
        "int-overflow-visits",
        "too-many-visits",
        "long-comment",
    ],
)
async def test_bad_quantities(env, actuals_api, actuals_runtime, provider, cells, expected):
    assert await refused(env, actuals_api, actuals_runtime, provider, one(provider, **cells)) == expected


async def test_planned_units_other_than_the_plans_are_refused(env, actuals_api, actuals_runtime, provider):
    # The plan is 10 hours a week: a file may not raise it to 100 (and so deliver 100 without a comment).
    week = weeks_ago(1)
    data = one(provider, actual="100", planned="100")
    errors = await refused(env, actuals_api, actuals_runtime, provider, data)
    assert errors == [
        (
            3,
            "planned",
            f"is 100 but the care package plans 10 in the week commencing {week:%d/%m/%Y}:"
            " planned units are the plan's and cannot be changed",
        )
    ]


async def test_a_duplicate_row(env, actuals_api, actuals_runtime, provider):
    s, c = provider.service, provider.clients
    ref = new_reference()
    data = csv_file(
        row(ref, s.reference, c[0].reference, weeks_ago(1)),
        row(ref, s.reference, c[0].reference, weeks_ago(1)),
    )
    assert await refused(env, actuals_api, actuals_runtime, provider, data) == [
        (3, None, "repeats row 2 (same service, client and week)")
    ]
    # The same client and week named once by the service's reference and once by its name.
    data = csv_file(
        row(ref, s.reference, c[0].reference, weeks_ago(1)), row(ref, s.name, c[0].reference, weeks_ago(1))
    )
    assert await refused(env, actuals_api, actuals_runtime, provider, data) == [
        (3, None, "repeats row 2 (same service, client and week)")
    ]


async def test_a_duplicate_file_reference(env, actuals_api, actuals_runtime, provider):
    token = provider.token(env)
    s, c = provider.service, provider.clients
    data = csv_file(row("CM-2026-48", s.reference, c[0].reference, weeks_ago(1)))
    assert (await import_file(actuals_api, actuals_runtime, token, data))["status"] == "imported"
    before = await lines_of(env, s)
    again = csv_file(row("CM-2026-48", s.reference, c[0].reference, weeks_ago(1), actual="2", comment="late"))
    errors = await refused_at_once(actuals_api, token, again)
    assert errors == [
        (
            2,
            "file_reference",
            f"'CM-2026-48' was imported on {date.today():%d/%m/%Y}: a file is imported once (a duplicate)",
        )
    ]
    assert await lines_of(env, s) == before
    # Another provider may use the same reference for its own file.
    other = await add_provider(env, clients=1, authority_id=provider.authority_id)
    mine = csv_file(row("CM-2026-48", other.service.reference, other.clients[0].reference, weeks_ago(1)))
    assert (await import_file(actuals_api, actuals_runtime, other.token(env), mine))["status"] == "imported"


async def test_a_refused_file_may_be_corrected_and_sent_again_under_its_reference(
    env, actuals_api, actuals_runtime, provider
):
    s, c = provider.service, provider.clients
    bad = csv_file(row("CM-FIX-1", s.reference, c[0].reference, weeks_ago(1), actual="9"))
    assert await refused(env, actuals_api, actuals_runtime, provider, bad) == [
        (2, "comment", "is required when delivery differs from plan")
    ]
    good = csv_file(row("CM-FIX-1", s.reference, c[0].reference, weeks_ago(1), actual="9", comment="Ill"))
    assert (await import_file(actuals_api, actuals_runtime, provider.token(env), good))[
        "status"
    ] == "imported"


GOOD_ROW = "F-1,Home Care,100234,23/11/2026,10,10,0,0,0,14,"
NOT_UTF8_ROW_3 = f"{HEADER}\r\n{GOOD_ROW}\r\nF-1,Home Care,Z\xfcrich,23/11/2026,10,10,0,0,0,14,\r\n".encode(
    "latin-1"
)
NUL_ROW_3 = f"{HEADER}\n{GOOD_ROW}\nF-1,Home Care,100235,23/11/2026,10,10,0,0,0,14,a\x00b\n".encode()
NUL_ROW_2 = f"{HEADER}\nF-\x00,Home Care,100234,23/11/2026,10,10,0,0,0,14,\n".encode()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(1, None, "the file is empty")]),
        (b"\r\n\r\n", [(1, None, "the file is empty")]),
        (
            b"file_reference,service,client,week,actual\nF,S,C,23/11/2026,1\n",
            [(1, None, "the header must be: " + HEADER)],
        ),
        (b"F-1,Home Care,100234,23/11/2026,10,10,0,0,0,14,\n", [(1, None, "the header must be: " + HEADER)]),
        ((HEADER + "\n").encode(), [(2, None, "the file has a header but no rows")]),
        (
            (HEADER + "\nF-1,Home Care,Z\xfcrich,23/11/2026,10,10,0,0,0,14,\n").encode("latin-1"),
            [(2, None, f"the file is not UTF-8 text (byte {len(HEADER) + 17}): save it as CSV UTF-8")],
        ),
        (
            NOT_UTF8_ROW_3,
            [
                (
                    3,
                    None,
                    f"the file is not UTF-8 text (byte {NOT_UTF8_ROW_3.index(0xFC) + 1}): save it as CSV UTF-8",
                )
            ],
        ),
        (
            NUL_ROW_3,
            [
                (
                    3,
                    None,
                    f"contains a NUL character (byte {NUL_ROW_3.index(0) + 1}): save the file as CSV UTF-8 text",
                )
            ],
        ),
        (
            NUL_ROW_2,
            [
                (
                    2,
                    None,
                    f"contains a NUL character (byte {NUL_ROW_2.index(0) + 1}): save the file as CSV UTF-8 text",
                )
            ],
        ),
    ],
    ids=[
        "empty",
        "blank-lines",
        "wrong-header",
        "missing-header",
        "no-rows",
        "not-utf8",
        "not-utf8-row-3",
        "nul-in-comment",
        "nul-in-reference",
    ],
)
async def test_faults_of_the_whole_file_are_answered_at_once(env, actuals_api, provider, data, expected):
    assert await refused_at_once(actuals_api, provider.token(env), data) == expected
    conn = await connect(env)
    try:
        held = await conn.fetchval(
            "SELECT count(*) FROM actuals.import_batch WHERE organisation_id = $1", provider.organisation_id
        )
    finally:
        await conn.close()
    assert held == 0


async def test_a_60_mb_file_is_refused_with_the_limit(env, actuals_api, provider):
    line = row("F-BIG", "S", "C00000001", weeks_ago(1))
    # Refused by its size before a row is read: the same row repeated is as good as 1.4 million others.
    big = csv_file(line) + (line + "\n").encode() * (60_000_000 // len(line) + 1)
    assert len(big) > 60_000_000
    errors = await refused_at_once(actuals_api, provider.token(env), big, status=413)
    assert errors == [
        "the file is larger than the 50 MiB (52,428,800 bytes) an import accepts: split it into several files, by week or by service"
    ]

    # The same as the body (text/csv), without a declared length it is counted as it streams.
    async def chunks():
        for start in range(0, len(big), 1 << 20):
            yield big[start : start + (1 << 20)]

    sent = await actuals_api.post(
        "/api/v1/actuals/imports",
        content=chunks(),
        headers={**bearer(provider.token(env)), "content-type": "text/csv", "x-file-name": "big.csv"},
    )
    assert sent.status_code == 413 and "52,428,800 bytes" in sent.json()["detail"]


async def test_a_bom_and_crlf_are_accepted_and_the_body_may_be_text_csv(
    env, actuals_api, actuals_runtime, provider
):
    s, c = provider.service, provider.clients
    ref = new_reference()
    data = csv_file(row(ref, s.reference, c[0].reference, weeks_ago(1)), newline="\r\n", bom=True)
    done = await import_file(actuals_api, actuals_runtime, provider.token(env), data)
    assert done["status"] == "imported", done["errors"]
    sent = await actuals_api.post(
        "/api/v1/actuals/imports",
        content=csv_file(
            row(new_reference(), s.reference, c[1].reference, weeks_ago(1)), newline="\r\n", bom=True
        ),
        headers={**bearer(provider.token(env)), "content-type": "text/csv", "x-file-name": "week.csv"},
    )
    assert sent.status_code == 202, sent.text
    got = await actuals_api.get(
        f"/api/v1/actuals/imports/{sent.json()['import_id']}", headers=bearer(provider.token(env))
    )
    assert got.json()["file_name"] == "week.csv" and got.json()["status"] == "pending"
    assert len(await lines_of(env, s)) == 1


async def test_a_formula_cell_is_stored_as_text(env, actuals_api, actuals_runtime, provider):
    s, c = provider.service, provider.clients
    data = csv_file(
        row(
            new_reference(),
            s.reference,
            c[0].reference,
            weeks_ago(1),
            actual="9",
            comment="=cmd|' /C calc'!A0",
        )
    )
    assert (await import_file(actuals_api, actuals_runtime, provider.token(env), data))[
        "status"
    ] == "imported"
    (line,) = (await lines_of(env, s)).values()
    assert line["comment"] == "=cmd|' /C calc'!A0"


async def test_a_confirmed_or_locked_week_is_refused_naming_the_row(
    env, actuals_api, actuals_runtime, provider
):
    s, c = provider.service, provider.clients
    assert (await import_file(actuals_api, actuals_runtime, provider.token(env), one(provider)))[
        "status"
    ] == "imported"
    conn = await connect(env)
    try:
        await conn.execute(
            "UPDATE actuals.actual_week SET state = 'confirmed' WHERE service_id = $1", s.service_id
        )
    finally:
        await conn.close()
    ref = new_reference()
    data = csv_file(
        row(ref, s.reference, c[2].reference, weeks_ago(2)),
        row(ref, s.reference, c[2].reference, weeks_ago(1)),
    )
    assert await refused(env, actuals_api, actuals_runtime, provider, data) == [
        (
            3,
            "week_commencing",
            f"the week commencing {weeks_ago(1):%d/%m/%Y} of {s.name} is confirmed: it cannot be changed until the council unlocks it",
        )
    ]


async def test_every_fault_is_in_errors_csv_and_the_first_100_in_the_api(
    env, actuals_api, actuals_runtime, provider
):
    s = provider.service
    ref = new_reference()
    data = csv_file(
        *[row(ref, s.reference, f"NOPE-{n}", weeks_ago(1)) for n in range(150)],
        row(ref, s.reference, provider.clients[0].reference, weeks_ago(1), actual="x"),
    )
    done = await import_file(actuals_api, actuals_runtime, provider.token(env), data)
    assert done["status"] == "refused" and done["error_count"] == 151 and len(done["errors"]) == 100
    # In file order: the bad number of row 152 (found by the file rules) comes last, not first.
    assert done["errors"][0]["row"] == 2 and done["errors"][99]["row"] == 101
    got = await actuals_api.get(
        f"/api/v1/actuals/imports/{done['import_id']}/errors.csv", headers=bearer(provider.token(env))
    )
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert table[0] == ["row", "column", "message"] and len(table) == 152
    assert table[-1] == ["152", "actual", "'x' is not a number (write digits, e.g. 58.05)"]


async def test_read_only_and_council_users_cannot_import(env, actuals_api, provider):
    data = one(provider)
    for token in (
        provider.token(env, can_edit=False),
        provider.token(env, role=Role.finance),
        env.council_token(provider.authority_id),
    ):
        sent = await upload(actuals_api, token, data)
        assert sent.status_code == 403, sent.text


async def test_a_cell_too_large_for_csv_is_a_fault_of_its_row(env, actuals_api, actuals_runtime, provider):
    """A quote left open swallows the rest of the file into one cell: past the CSV reader's cell limit it
    crashed the job three times; it is a fault of the row where the cell starts."""
    data = one(provider, actual="9.5", comment='"' + "x" * 200_000)
    errors = await refused(env, actuals_api, actuals_runtime, provider, data)
    assert errors == [
        (3, None, "cannot be read as CSV: a cell is longer than 131,072 characters (is a quote left open?)")
    ]


async def test_a_body_that_is_not_a_file_is_refused_by_its_type(env, actuals_api, provider):
    """A JSON body was read as a CSV file and answered with the header's fault."""
    sent = await actuals_api.post(
        "/api/v1/actuals/imports", json={"a": 1}, headers=bearer(provider.token(env))
    )
    assert sent.status_code == 415 and sent.json()["type"].endswith(":import-not-csv"), sent.text
    assert "not application/json" in sent.json()["detail"]
    excel = await actuals_api.post(  # Excel on Windows names a CSV file so
        "/api/v1/actuals/imports",
        content=b"x",
        headers={**bearer(provider.token(env)), "content-type": "application/vnd.ms-excel"},
    )
    assert excel.status_code == 422, excel.text  # read, and refused for its header
