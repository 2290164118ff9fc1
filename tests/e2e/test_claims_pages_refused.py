"""The One-Off Claims pages refusing: bad input on every form (each an error summary naming the field,
and nothing changed), changes after submission, read-only users, and another provider's claim or a
malformed address (not found), through the real gateway and claims service."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from tests.support.actuals_pages import csrf_of, pages_client
from tests.support.claims_pages import (
    CLIENT_MILEAGE,
    EXE,
    PDF,
    another_user,
    cells,
    claim_page,
    claims_provider,
    hidden,
    new_claim,
    post_item,
    summary,
)


async def test_bad_input_on_every_form_names_the_field_and_changes_nothing(stack):
    provider = await claims_provider(stack)
    stranger = await claims_provider(stack)  # another provider of the same council, with its own child
    async with await pages_client(stack, provider.user) as client:
        # The claim's date: boxes that are no date, then a date in the future (the service's rule).
        form = await client.get(f"{provider.base}/new")
        future = date.today() + timedelta(days=3)
        for day, month, year, words in (
            ("31", "2", "2026", "real date"),
            (str(future.day), str(future.month), str(future.year), "cannot be in the future"),
        ):
            refused = await client.post(
                f"{provider.base}/new",
                data={
                    "csrf_token": csrf_of(form),
                    "claim_date-day": day,
                    "claim_date-month": month,
                    "claim_date-year": year,
                },
            )
            assert refused.status_code == 422 and summary(refused.text) == ["claim_date"], refused.text[:800]
            assert words in refused.text and 'id="claim_date-error"' in refused.text
        listing = await client.get(provider.base)
        assert 'id="no-claims"' in listing.text  # nothing was created

        claim_id = await new_claim(client, provider)
        empty = await client.post(
            f"{provider.base}/{claim_id}/submit",
            data={
                "csrf_token": csrf_of(listing),
                "version": hidden(await claim_page(client, provider, claim_id), "version"),
            },
        )
        assert empty.status_code == 422 and "a claim needs at least one item" in empty.text.lower()
        assert ">Unsubmitted<" in empty.text

        other_child = str(stranger.children["Testing, CLA"])
        mileage = {"description": "School runs", "quantity": "150"}
        cases = [
            ({**mileage, "quantity": "0"}, None, "quantity", "Quantity must be more than 0"),
            ({**mileage, "quantity": "-3"}, None, "quantity", "Quantity must be more than 0"),
            ({**mileage, "quantity": "1.234"}, None, "quantity", "Quantity has at most 2 decimal places"),
            (
                {**mileage, "client_id": other_child},
                None,
                "client_id",
                "is not a child/client placed with you",
            ),
            (
                {**mileage, "client_id": str(uuid.uuid4())},
                None,
                "client_id",
                "is not a child/client placed with you",
            ),
            ({**mileage, "description": ""}, None, "description", "Description"),
            (mileage, ("mileage.pdf", EXE, "application/pdf"), "attachment", "Attachment"),
            (
                mileage,
                ("big.pdf", PDF + b"0" * (20 * 1024 * 1024), "application/pdf"),
                "attachment",
                "Attachment",
            ),
        ]
        for fields, file, field, words in cases:
            refused = await post_item(
                client, provider, claim_id, "client", fields, level=CLIENT_MILEAGE, file=file
            )
            assert refused.status_code in {413, 422}, (field, refused.status_code, refused.text[:500])
            assert summary(refused.text) == [field], (field, summary(refused.text))
            assert words in refused.text, (field, words)
        # Another council's level (or none): the service level, by its id.
        refused = await post_item(client, provider, claim_id, "client", mileage, level=str(uuid.uuid4()))
        assert refused.status_code == 422 and summary(refused.text) == ["service_level_id"]
        assert "is not a service level you can claim" in refused.text
        page = await claim_page(client, provider, claim_id)
        assert "No One-Off Claim Client Items" in page and re.search(r'id="claim-total">£0\.00<', page)

        # One attachment per item: a second file while keeping the first is refused at the attachment.
        added = await post_item(
            client,
            provider,
            claim_id,
            "client",
            mileage,
            level=CLIENT_MILEAGE,
            file=("a.pdf", PDF, "application/pdf"),
        )
        assert added.status_code == 303
        page = await claim_page(client, provider, claim_id)
        item_id = re.search(r"/items/([0-9a-f-]{36})/edit", page).group(1)
        second = await post_item(
            client,
            provider,
            claim_id,
            "client",
            {**mileage, "attachment_action": "keep"},
            level=CLIENT_MILEAGE,
            file=("b.pdf", PDF, "application/pdf"),
            edit=item_id,
        )
        assert second.status_code == 422 and summary(second.text) in (["attachment"], ["attachment_action"])
        assert "one per item" in second.text
        assert "a.pdf" in await claim_page(client, provider, claim_id)

        # After submission nothing changes: the form's post is refused with the service's words.
        page = await claim_page(client, provider, claim_id)
        done = await client.post(
            f"{provider.base}/{claim_id}/submit",
            data={"csrf_token": csrf_of(listing), "version": hidden(page, "version")},
        )
        assert done.status_code == 303
        late = await client.post(
            f"{provider.base}/{claim_id}/items/{item_id}/edit",
            data={
                "csrf_token": csrf_of(listing),
                "version": hidden(page, "version"),
                **mileage,
                "quantity": "1",
            },
            files={"attachment": ("", b"", "application/octet-stream")},
        )
        assert late.status_code == 409 and "can no longer be changed" in late.text
        after = await claim_page(client, provider, claim_id)
        assert cells(after, "client-items")[0][3] == "150" and ">Pending<" in after


async def test_read_only_users_see_claims_without_buttons(stack):
    provider = await claims_provider(stack)
    reader = await another_user(stack, provider, role="finance", can_edit=False)
    async with await pages_client(stack, provider.user) as client:
        claim_id = await new_claim(client, provider, "September")
        added = await post_item(
            client,
            provider,
            claim_id,
            "client",
            {"description": "School runs", "quantity": "150"},
            level=CLIENT_MILEAGE,
            file=("mileage.pdf", PDF, "application/pdf"),
        )
        assert added.status_code == 303
    async with await pages_client(stack, reader) as client:
        listing = await client.get(provider.base)
        assert listing.status_code == 200 and 'id="read-only"' in listing.text
        assert 'id="new-claim"' not in listing.text and len(cells(listing.text, "claims")) == 1
        page = await claim_page(client, provider, claim_id)
        assert "School runs" in page and 'id="read-only"' in page
        for absent in (
            'id="submit-claim"',
            'id="add-client-item"',
            'id="change-details"',
            "/edit",
            "/remove",
        ):
            assert absent not in page
        link = re.search(r'href="([^"]+/attachment)"', page).group(1)
        assert (await client.get(link)).content == PDF
        refused = await client.post(
            f"{provider.base}/{claim_id}/submit", data={"csrf_token": csrf_of(listing), "version": "1"}
        )
        assert refused.status_code == 403 and "read only" in refused.text
        # Claims are made and changed here, not requested: the page says so in the task's words.
        assert "You can see your claims but not make, change or submit them." in refused.text
        assert "request changes" not in refused.text
        assert (await client.get(f"{provider.base}/new")).status_code == 403


async def test_another_providers_claim_and_bad_addresses_are_not_found(stack):
    mine = await claims_provider(stack)
    theirs = await claims_provider(stack)
    async with await pages_client(stack, theirs.user) as client:
        claim_id = await new_claim(client, theirs, "Their claim")
        added = await post_item(
            client,
            theirs,
            claim_id,
            "client",
            {"description": "Their school runs", "quantity": "5"},
            level=CLIENT_MILEAGE,
            file=("theirs.pdf", PDF, "application/pdf"),
        )
        assert added.status_code == 303
        item_id = re.search(r"/items/([0-9a-f-]{36})/edit", await claim_page(client, theirs, claim_id)).group(
            1
        )
    async with await pages_client(stack, mine.user) as client:
        for path in (
            f"{mine.base}/{claim_id}",
            f"{mine.base}/{claim_id}/items/{item_id}",
            f"{mine.base}/{claim_id}/items/{item_id}/attachment",
            f"{mine.base}/{claim_id}/items/{item_id}/edit",
            f"{mine.base}/not-a-claim",
        ):
            answer = await client.get(path)
            assert answer.status_code == 404, path
            assert "Their school runs" not in answer.text and PDF not in answer.content
        assert (await client.get(f"{mine.base}/{claim_id}/items/new?kind=council")).status_code == 404


async def test_changing_the_date_or_notes_and_a_form_left_open_too_long(stack):
    provider = await claims_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        claim_id = await new_claim(client, provider, "First notes")
        details = f"{provider.base}/{claim_id}/details"
        form = await client.get(details)
        assert form.status_code == 200 and "First notes</textarea>" in form.text
        version = hidden(form.text, "version")
        old = date.today() - timedelta(days=400)
        refused = await client.post(
            details,
            data={
                "csrf_token": csrf_of(form),
                "version": version,
                "claim_date-day": str(old.day),
                "claim_date-month": str(old.month),
                "claim_date-year": str(old.year),
                "notes": "Changed notes",
            },
        )
        assert refused.status_code == 422 and summary(refused.text) == ["claim_date"]
        assert "cannot be more than a year ago" in refused.text
        assert "First notes" in await claim_page(client, provider, claim_id)
        yesterday = date.today() - timedelta(days=1)
        good = {
            "csrf_token": csrf_of(form),
            "version": version,
            "claim_date-day": str(yesterday.day),
            "claim_date-month": str(yesterday.month),
            "claim_date-year": str(yesterday.year),
            "notes": "Changed notes",
        }
        saved = await client.post(details, data=good)
        assert saved.status_code == 303, saved.text[:800]
        page = (await client.get(saved.headers["location"])).text
        assert "Claim saved" in page and "Changed notes" in page
        assert yesterday.strftime("%d/%m/%Y") in page
        # The same form sent again is stale: someone (here, the same person) changed the claim since.
        stale = await client.post(details, data={**good, "notes": "Third notes"})
        assert stale.status_code == 409 and "Someone else changed this claim" in stale.text
        assert "Third notes" not in await claim_page(client, provider, claim_id)
