"""The Invoices pages through the real gateway and payments service: the home card for Finance, the
journey (a new invoice from confirmed weeks, its lines and VAT, submitted, retracted by a credit note, a
draft deleted), the refusals on the forms, read-only users, and another provider's invoice."""

from __future__ import annotations

import re

from tests.payments.invoicing import published
from tests.support.actuals_pages import csrf_of, pages_client
from tests.support.invoices_pages import (
    cells,
    hidden,
    invoice_id_of,
    invoices_provider,
    summary,
)


async def create(client, provider, weeks, reference=""):
    form = await client.get(f"{provider.base}/new")
    assert form.status_code == 200, form.text[:500]
    return await client.post(
        f"{provider.base}/new",
        data={"csrf_token": csrf_of(form), "weeks": [str(w) for w in weeks], "provider_reference": reference},
    )


async def test_the_home_card_shows_invoices_to_finance(stack):
    provider = await invoices_provider(stack, weeks=0)
    async with await pages_client(stack, provider.user) as client:
        home = await client.get(f"/{provider.tenant.slug}/home")
        assert home.status_code == 200
        assert (provider.base, "Invoices") in re.findall(
            r'portal-card__link" href="([^"]+)">([^<]+)<', home.text
        )
        listing = await client.get(provider.base)
        assert listing.status_code == 200 and 'id="no-invoices"' in listing.text
        empty = await client.get(f"{provider.base}/new")
        assert empty.status_code == 200 and 'id="no-weeks"' in empty.text
        assert "Only contracts paid on actuals are invoiced" in empty.text  # a planned-paid provider asks why


async def test_an_invoice_from_a_confirmed_week_submitted_then_retracted(stack):
    provider = await invoices_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        form = await client.get(f"{provider.base}/new")
        assert "Week commencing 30/09/2019" in form.text and "£656.11" in form.text
        assert "Week commencing 07/10/2019" in form.text and "£150.50" in form.text
        made = await create(client, provider, [provider.weeks[0]], "SEPT-2019-1")
        assert made.status_code == 303, made.text[:1500]
        invoice_id = invoice_id_of(made.headers["location"])
        page = (await client.get(made.headers["location"])).text
        assert "Draft invoice created" in page and ">Draft<" in page and "SEPT-2019-1" in page
        rows = cells(page, "invoice-lines")
        assert [r[0:2] + r[4:7] for r in rows] == [
            [
                "30/09/2019",
                f"Sample, CLB ({provider.payee.client_references[1]})",
                "£303.03",
                "£60.61",
                "£363.64",
            ],
            [
                "30/09/2019",
                f"Testing, CLA ({provider.payee.client_references[0]})",
                "£353.08",
                "£70.62",
                "£423.70",
            ],
        ]
        assert re.search(r'id="invoice-total">£787\.34<', page) and re.search(
            r'id="invoice-vat">£131\.23<', page
        )
        number = re.search(r"Invoice (INV-\d{6})", page).group(1)

        submitted = await client.post(
            f"{provider.base}/{invoice_id}/submit",
            data={
                "csrf_token": csrf_of(await client.get(f"{provider.base}/{invoice_id}")),
                "version": hidden(page, "version"),
            },
        )
        assert submitted.status_code == 303, submitted.text[:800]
        page = (await client.get(submitted.headers["location"])).text
        assert ">Submitted<" in page and "Invoice submitted to the council" in page
        assert 'id="submit-invoice"' not in page and 'id="retract-invoice"' in page
        [event] = await published(stack.env, "payments.invoice.submitted.v1", invoice_id)
        assert (event["number"], event["total"]) == (number, "787.34")

        # Retracting without a reason: the form says so, nothing changes.
        question = await client.get(f"{provider.base}/{invoice_id}/retract")
        assert question.status_code == 200 and "£787.34" in question.text
        refused = await client.post(
            f"{provider.base}/{invoice_id}/retract",
            data={
                "csrf_token": csrf_of(question),
                "version": hidden(question.text, "version"),
                "reason": " ",
            },
        )
        assert refused.status_code == 422
        assert summary(refused.text) == ["Say why the invoice is retracted"]
        retracted = await client.post(
            f"{provider.base}/{invoice_id}/retract",
            data={
                "csrf_token": csrf_of(question),
                "version": hidden(question.text, "version"),
                "reason": "Raised against the wrong week",
            },
        )
        assert retracted.status_code == 303, retracted.text[:800]
        note = (await client.get(retracted.headers["location"])).text
        assert "Credit note CRN-" in note and ">Issued<" in note and f"Invoice {number}" in note
        assert re.search(r'id="invoice-total">-£787\.34<', note)
        assert "Raised against the wrong week" in note
        listing = await client.get(provider.base)
        kinds = [(r[1], r[5]) for r in cells(listing.text, "invoices")]
        assert kinds == [("Credit note", "Issued"), ("Invoice", "Retracted")]
        # The week is free again.
        again = await client.get(f"{provider.base}/new")
        assert "Week commencing 30/09/2019" in again.text


async def test_refusals_are_shown_on_the_form(stack):
    provider = await invoices_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        none = await create(client, provider, [])
        assert none.status_code == 422 and summary(none.text) == [
            "Choose at least one confirmed week to invoice"
        ]
        long = await create(client, provider, [provider.weeks[0]], "x" * 101)
        assert long.status_code == 422
        assert summary(long.text) == ["Your reference must be 100 characters or fewer"]
        first = await create(client, provider, [provider.weeks[0]])
        assert first.status_code == 303
        number = re.search(r"Invoice (INV-\d{6})", (await client.get(first.headers["location"])).text).group(
            1
        )
        # The week is no longer offered; a form sent from an old page names the week's invoice.
        form = await client.get(f"{provider.base}/new")
        assert "Week commencing 30/09/2019" not in form.text
        stale = await client.post(
            f"{provider.base}/new",
            data={"csrf_token": csrf_of(form), "weeks": [str(provider.weeks[1]), str(provider.weeks[0])]},
        )
        assert stale.status_code == 409, stale.text[:1500]
        assert summary(stale.text) == [f"The week of 30/09/2019 is already on invoice {number}"]
        assert "checked" in stale.text  # the choice is kept
        # Delete the draft: the week comes back.
        invoice_id = invoice_id_of(first.headers["location"])
        page = await client.get(f"{provider.base}/{invoice_id}")
        deleted = await client.post(
            f"{provider.base}/{invoice_id}/delete",
            data={"csrf_token": csrf_of(page), "version": hidden(page.text, "version")},
        )
        assert deleted.status_code == 303 and deleted.headers["location"].endswith("?done=deleted")
        assert "Week commencing 30/09/2019" in (await client.get(f"{provider.base}/new")).text


async def test_read_only_users_see_but_cannot_change_and_others_invoices_are_not_found(stack):
    provider = await invoices_provider(stack)
    async with await pages_client(stack, provider.user) as client:
        made = await create(client, provider, [provider.weeks[0]])
        invoice_id = invoice_id_of(made.headers["location"])
    reader = await invoices_provider(stack, can_edit=False, weeks=0)
    from tests.support.portal_login import new_user

    same_org_reader = await new_user(stack, tenant=provider.tenant, role="finance", can_edit=False)
    async with await pages_client(stack, same_org_reader) as client:
        page = await client.get(f"{provider.base}/{invoice_id}")
        assert (
            page.status_code == 200
            and 'id="read-only"' in page.text
            and 'id="submit-invoice"' not in page.text
        )
        assert (await client.get(f"{provider.base}/new")).status_code == 403
    async with await pages_client(stack, reader.user) as client:
        assert (await client.get(f"{provider.base}/{invoice_id}")).status_code == 404
        assert (await client.get(f"{provider.base}/not-an-id")).status_code == 404
    care = await invoices_provider(stack, role="care", weeks=0)
    async with await pages_client(stack, care.user) as client:
        assert (await client.get(care.base)).status_code == 403
