"""Every bad input of a provider's claim item (issue 12 "Bad input"): each answered with a precise error
naming the field, and nothing changed: the claim, its items, their attachments and the organisation's
files are exactly as before."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests.claims.integration.drafting import make_draft
from tests.claims.support import add_client, add_level, add_placement, claims_api, claims_conn, upload
from tests.support import uploads

TWENTY_MB = uploads.PDF + b"0" * (20 * 1024 * 1024)
NOT_CLAIMABLE = "is not a service level you can claim"
NOT_PLACED = "is not a child/client placed with you"


@pytest.fixture(scope="module")
async def api(env):
    async with claims_api(env) as client:
        yield client


@pytest.fixture
async def draft(env, api):
    return await make_draft(env, api)


async def test_an_executable_renamed_pdf_is_refused_naming_the_attachment(draft):
    exe = upload(uploads.WINDOWS_EXE, "receipt.pdf")
    added = await draft.post_item(draft.client_item(), files=exe)
    problem = await draft.refused(added, 422, "attachment", "the file is a Windows program")
    assert problem["errors"][0]["message"].endswith(
        "(accepted here: a PDF, a JPEG image, a PNG image or a HEIC image)"
    )
    replaced = await draft.put_item(draft.client_item(attachment_action="replace"), files=exe)
    await draft.refused(replaced, 422, "attachment", "the file is a Windows program")
    word = upload(uploads.DOCX, "receipt.docx", "application/octet-stream")
    await draft.refused(
        await draft.post_item(draft.client_item(), files=word), 422, "attachment", "files named .docx"
    )


async def test_a_20_mb_file_is_refused_naming_the_attachment(draft):
    big = upload(TWENTY_MB, "scan.pdf")
    message = "the file is too large: the most accepted is 10,485,760 bytes (10 MB)"
    await draft.refused(await draft.post_item(draft.client_item(), files=big), 422, "attachment", message)
    replaced = await draft.put_item(draft.client_item(attachment_action="replace"), files=big)
    await draft.refused(replaced, 422, "attachment", message)


async def test_the_limit_is_the_settings_to_the_byte(draft, env):
    limit = len(uploads.PDF) + 10
    async with claims_api(env, attachments_max_bytes=limit) as small:
        over = upload(uploads.PDF + b"0" * 11)
        answer = await small.post(draft.items_path, data=draft.client_item(), files=over, headers=draft.auth)
        await draft.refused(
            answer, 422, "attachment", f"the file is too large: the most accepted is {limit:,} bytes"
        )
        at_limit = upload(uploads.PDF + b"0" * 10)
        answer = await small.post(
            draft.items_path, data=draft.client_item(), files=at_limit, headers=draft.auth
        )
        assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "must be more than 0"),
        ("-5", "must be more than 0"),
        ("1.005", "has at most 2 decimal places"),
        ("100000", "must be at most 99,999.99"),
        ("ten", "must be a number written in digits"),
        ("\uff11\uff10", "must be written with the digits 0 to 9"),  # fullwidth 10
        ("", "enter a number"),
    ],
)
async def test_a_bad_quantity_is_refused_naming_the_quantity(draft, quantity, message):
    await draft.refused(await draft.post_item(draft.client_item(quantity=quantity)), 422, "quantity", message)
    await draft.refused(await draft.put_item(draft.client_item(quantity=quantity)), 422, "quantity", message)


async def test_a_service_level_the_authority_does_not_allow_is_refused(draft, env):
    setup = draft.setup
    today = date.today()
    async with claims_conn(env) as conn:
        others = await add_level(conn, authority_id=uuid.uuid4(), name="Another council's mileage")
        not_mine = await add_level(
            conn, authority_id=setup.authority_id, name="Open to another provider", providers=[uuid.uuid4()]
        )
        ended = await add_level(
            conn, authority_id=setup.authority_id, name="Ended", effective_to=today - timedelta(days=1)
        )
        future = await add_level(
            conn, authority_id=setup.authority_id, name="Not yet", effective_from=today + timedelta(days=1)
        )
    levels = [others, setup.provider_level, not_mine, ended, future, uuid.uuid4(), "not-an-id"]
    for level in levels:
        added = await draft.post_item(draft.client_item(service_level_id=level))
        await draft.refused(added, 422, "service_level_id", NOT_CLAIMABLE)
        changed = await draft.put_item(draft.client_item(service_level_id=level))
        await draft.refused(changed, 422, "service_level_id", NOT_CLAIMABLE)
    # A client level on a provider item is refused the same way.
    provider_item = draft.client_item(kind="provider", client_id=None, service_level_id=setup.client_level)
    await draft.refused(await draft.post_item(provider_item), 422, "service_level_id", NOT_CLAIMABLE)


async def test_a_client_of_another_provider_is_refused(draft, env):
    setup = draft.setup
    async with claims_conn(env) as conn:
        elsewhere = await add_client(conn, authority_id=setup.authority_id, name="Placed elsewhere")
        await add_placement(
            conn, authority_id=setup.authority_id, organisation_id=uuid.uuid4(), client_id=elsewhere
        )
        left = await add_client(conn, authority_id=setup.authority_id, name="Left two months ago")
        await add_placement(
            conn,
            authority_id=setup.authority_id,
            organisation_id=setup.organisation_id,
            client_id=left,
            end_date=date.today() - timedelta(days=60),
        )
        unauthorised = await add_client(conn, authority_id=setup.authority_id, name="Not authorised")
        await add_placement(
            conn,
            authority_id=setup.authority_id,
            organisation_id=setup.organisation_id,
            client_id=unauthorised,
            authorised=False,
        )
    for client in (elsewhere, left, unauthorised, uuid.uuid4(), "nobody"):
        await draft.refused(
            await draft.post_item(draft.client_item(client_id=client)), 422, "client_id", NOT_PLACED
        )
        await draft.refused(
            await draft.put_item(draft.client_item(client_id=client)), 422, "client_id", NOT_PLACED
        )
    missing = draft.client_item(client_id=None)
    await draft.refused(await draft.post_item(missing), 422, "client_id", "choose the child/client")


async def test_a_placement_ended_within_28_days_still_counts(draft, env):
    setup = draft.setup
    async with claims_conn(env) as conn:
        just_left = await add_client(conn, authority_id=setup.authority_id, name="Left last week")
        await add_placement(
            conn,
            authority_id=setup.authority_id,
            organisation_id=setup.organisation_id,
            client_id=just_left,
            end_date=date.today() - timedelta(days=7),
        )
    added = await draft.post_item(draft.client_item(client_id=just_left))
    assert added.status_code == 201, added.text


async def test_a_unit_cost_is_the_levels_unless_at_cost(draft):
    setup = draft.setup
    await draft.refused(
        await draft.post_item(draft.client_item(unit_cost="0.45")),
        422,
        "unit_cost",
        "is set by the service level (£0.3870 a Mile)",
    )
    parking = draft.client_item(kind="provider", client_id=None, service_level_id=setup.at_cost_level)
    await draft.refused(await draft.post_item(parking), 422, "unit_cost", "enter what one unit cost")
    await draft.refused(
        await draft.post_item({**parking, "unit_cost": "4.505"}), 422, "unit_cost", "is in pounds and pence"
    )
    await draft.refused(
        await draft.post_item({**parking, "unit_cost": "\uff15"}),  # fullwidth 5
        422,
        "unit_cost",
        "must be written with the digits 0 to 9",
    )
    for version in ("\uff12", "9" * 5000):  # int() reads a fullwidth 2 as 2, and refuses 5,000 digits
        await draft.refused(
            await draft.post_item(draft.client_item(version=version)),
            422,
            "version",
            "send the claim's version",
        )
    with_client = draft.client_item(kind="provider", service_level_id=setup.provider_level)
    await draft.refused(
        await draft.post_item(with_client), 422, "client_id", "a provider item is for no child/client"
    )


async def test_every_wrong_field_is_named_at_once(draft):
    answer = await draft.post_item(
        draft.client_item(quantity="0", description="", service_level_id=uuid.uuid4())
    )
    problem = await draft.refused(answer, 422, "quantity", "must be more than 0")
    assert {e["field"] for e in problem["errors"]} == {"quantity", "description", "service_level_id"}


async def test_a_second_attachment_on_one_item_is_refused(draft):
    second = upload(uploads.PNG, "second.png", "image/png")
    kept = await draft.put_item(draft.client_item(), files=second)
    await draft.refused(
        kept,
        422,
        "attachment",
        "this item has an attachment already (one per item): remove it first or choose replace",
    )
    two = [
        ("attachment", ("a.pdf", uploads.PDF, "application/pdf")),
        ("attachment", ("b.pdf", uploads.PDF, "application/pdf")),
    ]
    await draft.refused(
        await draft.post_item(draft.client_item(), files=two), 422, "attachment", "send one file"
    )


@pytest.mark.parametrize("charset", ["unicode_escape", "utf-7"])
async def test_a_lone_surrogate_in_the_description_is_refused_naming_it(draft, charset):
    """A form's charset (RFC 7578 4.6) is the client's to choose, and Python decodes some into half a
    UTF-16 pair, which PostgreSQL cannot store: a 422, not a 500."""
    written = {"unicode_escape": "School run \\ud800", "utf-7": "School run +2AA-"}[charset]
    form = b"".join(
        b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), value.encode())
        for name, value in draft.client_item(description=written).items()
    )
    headers = {**draft.auth, "content-type": f"multipart/form-data; charset={charset}; boundary=B"}
    added = await draft.api.post(draft.items_path, content=form + b"--B--\r\n", headers=headers)
    await draft.refused(added, 422, "description", "contains half of a UTF-16 surrogate pair")
    item_path = f"{draft.items_path}/{draft.item['item_id']}"
    changed = await draft.api.put(item_path, content=form + b"--B--\r\n", headers=headers)
    await draft.refused(changed, 422, "description", "contains half of a UTF-16 surrogate pair")


@pytest.mark.parametrize("multipart", [True, False], ids=["multipart", "urlencoded"])
async def test_a_description_that_is_not_utf8_is_refused_naming_it(draft, multipart):
    """Text that is not UTF-8 (Starlette would read it as Latin-1, or a bad percent-escape as U+FFFD) is
    refused at its field, added or changed; a form that declares its charset is read in it."""
    fields = {name: value.encode() for name, value in draft.client_item().items()}
    fields["description"] = b"School run caf\xe9"
    if multipart:
        content = b"".join(
            b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), value)
            for name, value in fields.items()
        )
        content, kind = content + b"--B--\r\n", "multipart/form-data; boundary=B"
    else:
        fields["description"] = b"School run caf%E9"
        content = b"&".join(b"%s=%s" % (name.encode(), value) for name, value in fields.items())
        kind = "application/x-www-form-urlencoded"
    headers = {**draft.auth, "content-type": kind}
    message = "contains characters that are not valid text (UTF-8)"
    added = await draft.api.post(draft.items_path, content=content, headers=headers)
    await draft.refused(added, 422, "description", message)
    changed = await draft.api.put(
        f"{draft.items_path}/{draft.item['item_id']}", content=content, headers=headers
    )
    await draft.refused(changed, 422, "description", message)
    if multipart:  # the same bytes, declared as Latin-1, are the text the client meant
        declared = {**headers, "content-type": "multipart/form-data; charset=latin-1; boundary=B"}
        answer = await draft.api.post(draft.items_path, content=content, headers=declared)
        assert answer.status_code == 201, answer.text
        assert answer.json()["client_items"][-1]["description"] == "School run café"
