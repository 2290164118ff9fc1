"""The rules of a claim without I/O: amounts to the penny, each input's limits with the field named,
the claim date's window and the financial year an accepted item is paid in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from claims.domain import rules
from claims.domain.years import financial_year
from shared.attachments import AttachmentRefused, check_upload
from shared.errors import Invalid
from tests.support import uploads

D = Decimal


@pytest.mark.parametrize(
    ("quantity", "unit_cost", "amount"),
    [
        ("150", "0.387", "58.05"),  # the 150 miles at £0.387
        ("1", "0.387", "0.39"),
        ("0.01", "0.3870", "0.00"),  # 0.00387
        ("10", "0.0005", "0.01"),  # 0.005: a tie, half up
        ("3", "0.0050", "0.02"),  # 0.015: a tie, half up (half-even would give 0.02 too)
        ("5", "0.0050", "0.03"),  # 0.025: half-even would give 0.02
        ("1", "12.345", "12.35"),
        ("1", "12.3449", "12.34"),
        ("99999.99", "99999.99", "9999998000.00"),
        ("2.5", "4.00", "10.00"),
    ],
)
def test_amount_is_quantity_times_unit_cost_half_up_to_the_penny(quantity, unit_cost, amount):
    assert rules.amount(D(quantity), D(unit_cost)) == D(amount)
    assert str(rules.amount(D(quantity), D(unit_cost))) == amount


def test_the_claim_total_is_the_exact_sum_and_has_a_ceiling():
    assert rules.claim_total([D("58.05"), D("0.39"), D("12.35")]) == D("70.79")
    assert str(rules.claim_total([])) == "0.00"
    with pytest.raises(Invalid) as refused:
        rules.claim_total([D("9999998000.00")] * 2)
    assert refused.value.errors()[0]["field"] == "quantity"


@pytest.mark.parametrize(
    ("given", "held"),
    [
        ("150", "150.00"),
        ("0.01", "0.01"),
        ("12.5", "12.50"),
        (" 7.25 ", "7.25"),
        (3, "3.00"),
        (D("99999.99"), "99999.99"),
        ("1.50", "1.50"),
        ("1.500", "1.50"),
    ],
)
def test_a_quantity_is_held_with_two_places(given, held):
    assert str(rules.quantity(given)) == held


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("0", "must be more than 0"),
        ("0.00", "must be more than 0"),
        ("-1", "must be more than 0"),
        ("-0.5", "must be more than 0"),
        ("1.005", "has at most 2 decimal places"),
        ("150.125", "has at most 2 decimal places"),
        ("150.000000000000000000000000000001", "has at most 2 decimal places"),
        ("100000", "must be at most 99,999.99"),
        ("99999.991", "must be at most 99,999.99"),
        ("1e3", "must be a number written in digits"),
        ("1,000", "must be a number written in digits"),
        ("NaN", "must be a number written in digits"),
        ("ten", "must be a number written in digits"),
        ("\uff11\uff10", "must be written with the digits 0 to 9"),  # fullwidth 10: Decimal() reads it
        ("1\u0660", "must be written with the digits 0 to 9"),  # 1 and an Arabic-Indic zero
        (1.5, "must be a number written in digits"),
        (True, "must be a number written in digits"),
        ("", "enter a number"),
        (None, "enter a number"),
    ],
)
def test_a_bad_quantity_is_refused_naming_the_field(given, message):
    with pytest.raises(Invalid) as refused:
        rules.quantity(given)
    [error] = refused.value.errors()
    assert error["field"] == "quantity"
    assert error["message"].startswith(message)
    assert refused.value.detail.startswith(f"quantity: {message}")


def test_a_level_with_a_unit_cost_sets_the_items():
    assert rules.item_unit_cost(D("0.3870"), "Mile", None) == D("0.3870")
    assert rules.item_unit_cost(D("0.3870"), "Mile", "") == D("0.3870")
    assert rules.item_unit_cost(D("0.3870"), "Mile", "0.387") == D("0.3870")  # the same, written shorter
    assert str(rules.item_unit_cost(D("0.387"), "Mile", None)) == "0.3870"
    with pytest.raises(Invalid) as refused:
        rules.item_unit_cost(D("0.3870"), "Mile", "0.45")
    assert refused.value.errors()[0] == {
        "source": "body",
        "field": "unit_cost",
        "message": "is set by the service level (£0.3870 a Mile): leave it out",
    }


@pytest.mark.parametrize(("given", "held"), [("4.50", "4.5000"), ("12", "12.0000"), ("0.01", "0.0100")])
def test_an_at_cost_level_takes_the_providers_unit_cost(given, held):
    assert str(rules.item_unit_cost(None, "Item", given)) == held


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (None, "enter what one unit cost"),
        ("  ", "enter what one unit cost"),
        ("0", "must be more than 0"),
        ("-4.50", "must be more than 0"),
        ("4.505", "is in pounds and pence: at most 2 decimal places"),
        ("100000", "must be at most £99,999.99"),
        ("£4.50", "must be a number written in digits"),
        ("\uff15", "must be written with the digits 0 to 9"),  # fullwidth 5
    ],
)
def test_a_bad_at_cost_unit_cost_is_refused_naming_the_field(given, message):
    with pytest.raises(Invalid) as refused:
        rules.item_unit_cost(None, "Item", given)
    [error] = refused.value.errors()
    assert (error["field"], error["message"][: len(message)]) == ("unit_cost", message)


TODAY = date(2026, 11, 30)


@pytest.mark.parametrize("day", [TODAY, date(2026, 1, 1), date(2025, 11, 30)])
def test_a_claim_date_is_today_or_within_a_year_before(day):
    assert rules.claim_date(day, today=TODAY) == day


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2026, 12, 1), "cannot be in the future"),
        (date(2025, 11, 29), "cannot be more than a year ago (before 30 November 2025)"),
        (date(2000, 1, 1), "cannot be more than a year ago"),
    ],
)
def test_a_claim_date_out_of_its_window_is_refused(day, message):
    with pytest.raises(Invalid) as refused:
        rules.claim_date(day, today=TODAY)
    [error] = refused.value.errors()
    assert (error["field"], error["message"][: len(message)]) == ("claim_date", message)


def test_the_earliest_date_is_said_without_a_leading_zero():
    with pytest.raises(Invalid) as refused:
        rules.claim_date(date(2025, 6, 1), today=date(2026, 6, 3))
    assert refused.value.errors()[0]["message"] == "cannot be more than a year ago (before 3 June 2025)"


def test_a_year_before_29_february_is_28_february():
    assert rules.claim_date(date(2027, 2, 28), today=date(2028, 2, 29)) == date(2027, 2, 28)
    with pytest.raises(Invalid):
        rules.claim_date(date(2027, 2, 27), today=date(2028, 2, 29))


def test_notes_are_optional_and_at_most_1000_characters():
    assert rules.notes(None) == ""
    assert rules.notes("  Mileage for March \n") == "Mileage for March"
    assert rules.notes("x" * 1000) == "x" * 1000
    with pytest.raises(Invalid) as refused:
        rules.notes("x" * 1001)
    assert refused.value.errors()[0]["field"] == "notes"
    assert "1,000 characters or fewer (it has 1,001)" in refused.value.detail
    with pytest.raises(Invalid, match="NUL"):
        rules.notes("a\x00b")


def test_a_description_is_required_and_at_most_200_characters():
    assert rules.description(" School run ") == "School run"
    for blank in (None, "", "   "):
        with pytest.raises(Invalid) as refused:
            rules.description(blank)
        assert refused.value.errors()[0] == {
            "source": "body",
            "field": "description",
            "message": "enter a description of what is claimed",
        }
    assert rules.description("d" * 200) == "d" * 200
    with pytest.raises(Invalid) as refused:
        rules.description("d" * 201)
    assert refused.value.errors()[0]["field"] == "description"


@pytest.mark.parametrize("text", ["a\ud800b", "\udfff", "School run \udc00"])
@pytest.mark.parametrize(("rule", "field"), [(rules.notes, "notes"), (rules.description, "description")])
def test_a_lone_surrogate_is_refused_naming_the_field(rule, field, text):
    """JSON can carry half a UTF-16 pair ("\\ud800"); PostgreSQL cannot store it (it is not a character)."""
    with pytest.raises(Invalid) as refused:
        rule(text)
    [error] = refused.value.errors()
    assert error["field"] == field
    assert error["message"].startswith("contains half of a UTF-16 surrogate pair (U+D")


def test_an_item_is_a_client_or_a_provider_item():
    assert rules.item_kind("client") == "client"
    assert rules.item_kind("provider") == "provider"
    with pytest.raises(Invalid) as refused:
        rules.item_kind("council")
    assert refused.value.errors()[0]["field"] == "kind"


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 4, 1), "2026/2027"),
        (date(2026, 11, 30), "2026/2027"),
        (date(2027, 3, 31), "2026/2027"),
        (date(2027, 4, 1), "2027/2028"),
        (date(2026, 3, 31), "2025/2026"),
        (date(2026, 1, 1), "2025/2026"),
    ],
)
def test_the_financial_year_runs_april_to_march(day, year):
    assert financial_year(day) == year


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (uploads.HEIC, "IMG_0042.HEIC", "image/heic"),
        (uploads.HEIF, "IMG_0042.heif", "image/heic"),
        (uploads.PDF, "receipt.pdf", "application/pdf"),
        (uploads.JPEG, "receipt.jpg", "image/jpeg"),
        (uploads.PNG, "receipt.png", "image/png"),
    ],
)
def test_a_claim_takes_a_phones_heic_photo_a_pdf_jpeg_or_png(data, filename, content_type):
    checked = check_upload(
        data,
        filename=filename,
        declared_type=None,
        max_bytes=10 * 1024 * 1024,
        allowed=rules.ATTACHMENT_KINDS,
    )
    assert checked.content_type == content_type


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (uploads.WINDOWS_EXE, "receipt.pdf", "the file is a Windows program"),
        (uploads.MP4, "IMG_0042.heic", "the file is a video or other media"),
        (uploads.AVIF, "IMG_0042.heic", "the file is an AVIF image"),
        (uploads.HEIC, "IMG_0042.jpg", "the file is named .jpg but its content is a HEIC image"),
        (uploads.XLSX, "mileage.xlsx", "files named .xlsx are not accepted"),
        (uploads.CSV, "mileage.txt", "files named .txt are not accepted"),
    ],
)
def test_a_claim_refuses_any_other_file_naming_what_it_takes(data, filename, reason):
    with pytest.raises(AttachmentRefused) as refused:
        check_upload(
            data, filename=filename, declared_type=None, max_bytes=10**7, allowed=rules.ATTACHMENT_KINDS
        )
    message = str(refused.value)
    assert message.startswith(reason)
    # The kinds taken, said once (a name not taken lists each kind with its extensions).
    assert message.count("(accepted here: a PDF") == 1, message
    assert message.endswith(("a PNG image or a HEIC image)", "a HEIC image (.heic, .heif))")), message
