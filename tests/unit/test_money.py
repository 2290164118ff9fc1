"""Money: the seeds' figures, the one rounding (half-up to the penny at the line), exact sums, and every
kind of bad input refused with a message that names the field."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from shared.money import (
    Money,
    MoneyError,
    Rate,
    Units,
    line_total,
    to_money,
    to_rate,
    to_units,
    total,
)


class MileageClaim(BaseModel):
    miles: Units
    rate: Rate
    amount: Money


def test_the_seeds_mileage_line_is_58_05():
    # 150 miles at 38.7p a mile: 58.0500 exactly, so no rounding happens at all.
    assert line_total(150, "0.387") == Decimal("58.05")
    assert str(line_total("150", Decimal("0.3870"))) == "58.05"


def test_the_seeds_invoice_lines_add_up_exactly():
    assert total(["353.08", "303.03"]) == Decimal("656.11")
    assert str(total([Decimal("353.08"), Decimal("303.03")])) == "656.11"
    assert total([]) == Decimal("0.00")


def test_the_line_is_rounded_once_half_up_to_the_penny():
    # 2.5 h x £17.0050 = 42.51250 exactly: below the half, so 42.51 (not 42.52, not 42.50).
    assert line_total("2.5", "17.0050") == Decimal("42.51")
    # 2.5 h x £14.81 = 37.025 exactly: a tie. Half-up gives 37.03; banker's rounding (half-even) and
    # truncation would both give 37.02.
    assert line_total("2.5", "14.81") == Decimal("37.03")
    # 1 x £0.0050 = 0.005: the smallest tie rounds up to a penny, not down to nothing.
    assert line_total(1, "0.0050") == Decimal("0.01")
    assert line_total(1, "0.0049") == Decimal("0.00")


def test_lines_are_rounded_before_they_are_added_never_after():
    # Three lines of 1 x £0.0050: each is 0.01, so the invoice is 0.03 (rounding the sum would give 0.02).
    lines = [line_total(1, "0.0050") for _ in range(3)]
    assert total(lines) == Decimal("0.03")


def test_credits_are_the_mirror_of_debits():
    assert line_total("-2.5", "14.81") == Decimal("-37.03")  # ties away from zero
    assert line_total("2.5", "-17.0050") == Decimal("-42.51")
    assert total(["353.08", "-303.03"]) == Decimal("50.05")
    assert to_money("-0.5") == Decimal("-0.50")
    assert str(to_money("-0")) == "0.00"  # never "-0.00"


def test_money_and_rates_have_fixed_places_units_keep_theirs():
    assert str(to_money("58.1")) == "58.10"
    assert str(to_money(5)) == "5.00"
    assert str(to_money(" 58.05 ")) == "58.05"
    assert str(to_money("58.050")) == "58.05"  # a trailing zero is not a third place
    assert str(to_money(Decimal("1E+2"))) == "100.00"
    assert str(to_rate("0.387")) == "0.3870"
    assert str(to_units("2.50")) == "2.5"
    assert str(to_units(Decimal("1E+2"))) == "100"
    assert str(to_units("150")) == "150"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (58.05, "amount: a float is not accepted"),
        (float("nan"), "amount: a float is not accepted"),
        (float("inf"), "amount: a float is not accepted"),
        (Decimal("NaN"), "amount: NaN is not a finite amount"),
        (Decimal("Infinity"), "amount: Infinity is not a finite amount"),
        ("NaN", "amount: 'NaN' is not a number"),
        ("Infinity", "amount: 'Infinity' is not a number"),
        ("-inf", "amount: '-inf' is not a number"),
        ("58.055", "amount: an amount in pounds has at most 2 decimal places, not 58.055"),
        ("£58.05", "amount: '£58.05' is not a number"),
        ("1,000.00", "amount: '1,000.00' is not a number"),
        ("5.805e1", "amount: '5.805e1' is not a number"),
        ("", "amount: '' is not a number"),
        ("fifty", "amount: 'fifty' is not a number"),
        # Decimal() reads any script's digits; an amount is written with 0 to 9 only
        (
            "\uff15\uff18.\uff10\uff15",
            "amount: must be written with the digits 0 to 9, not '\uff15\uff18.\uff10\uff15'",
        ),
        ("\u0665", "amount: must be written with the digits 0 to 9"),  # Arabic-Indic five
        ("5\u0968", "amount: must be written with the digits 0 to 9"),  # 5 and a Devanagari two
        (True, "amount: true/false is not an amount"),
        (None, "amount: expected a number as a string, int or Decimal, not NoneType"),
        ("10000000000", "amount: too large for an amount in pounds"),
        (Decimal("1E+999999"), "amount: too large for an amount in pounds"),
    ],
)
def test_bad_money_is_refused_with_a_clear_message(value, message):
    with pytest.raises(MoneyError) as refused:
        to_money(value)
    assert str(refused.value).startswith(message)


def test_rates_and_units_refuse_a_fifth_place_and_floats():
    with pytest.raises(MoneyError, match=r"^rate: a unit rate has at most 4 decimal places, not 0\.38705$"):
        to_rate("0.38705")
    with pytest.raises(MoneyError, match=r"^units: a number of units has at most 4 decimal places"):
        line_total("2.00001", "1")
    with pytest.raises(MoneyError, match=r"^rate: a float is not accepted"):
        line_total(150, 0.387)
    with pytest.raises(MoneyError, match=r"^units: a float is not accepted"):
        line_total(150.0, "0.387")
    with pytest.raises(MoneyError, match=r"^amount 2: an amount in pounds has at most 2 decimal places"):
        total(["1.00", "0.005"])
    with pytest.raises(MoneyError, match=r"^rate: too large for a unit rate"):
        to_rate("100000000")


def test_a_model_takes_strings_ints_and_decimals_and_writes_strings_in_json():
    claim = MileageClaim(miles=150, rate="0.387", amount=Decimal("58.05"))
    assert (claim.miles, claim.rate, claim.amount) == (Decimal(150), Decimal("0.3870"), Decimal("58.05"))
    assert json.loads(claim.model_dump_json()) == {"miles": "150", "rate": "0.3870", "amount": "58.05"}
    assert claim.model_dump() == {
        "miles": Decimal(150),
        "rate": Decimal("0.3870"),
        "amount": Decimal("58.05"),
    }
    again = MileageClaim.model_validate_json(claim.model_dump_json())
    assert again == claim


def test_a_model_refuses_a_float_naming_the_field():
    with pytest.raises(ValidationError) as refused:
        MileageClaim(miles=150, rate="0.387", amount=58.05)
    [error] = refused.value.errors()
    assert error["loc"] == ("amount",)
    assert "amount: a float is not accepted" in error["msg"]
    assert "amount" in str(refused.value)


def test_json_numbers_with_a_fraction_are_floats_and_refused():
    with pytest.raises(ValidationError) as refused:
        MileageClaim.model_validate_json('{"miles": 150, "rate": 0.387, "amount": "58.05"}')
    [error] = refused.value.errors()
    assert error["loc"] == ("rate",)
    assert "rate: a float is not accepted" in error["msg"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "NaN", "amount: 'NaN' is not a number"),
        ("amount", "58.055", "amount: an amount in pounds has at most 2 decimal places"),
        ("rate", "0.38705", "rate: a unit rate has at most 4 decimal places"),
        ("miles", "Infinity", "miles: 'Infinity' is not a number"),
        ("miles", "12 miles", "miles: '12 miles' is not a number"),
    ],
)
def test_a_model_names_the_field_of_each_bad_value(field, value, message):
    fields = {"miles": "1", "rate": "1", "amount": "1", field: value}
    with pytest.raises(ValidationError) as refused:
        MileageClaim(**fields)
    [error] = refused.value.errors()
    assert error["loc"] == (field,)
    assert message in error["msg"]


def test_units_and_rates_are_written_with_the_digits_0_to_9():
    for parse in (to_units, to_rate):
        with pytest.raises(MoneyError, match=r"^value: must be written with the digits 0 to 9"):
            parse("\uff11\uff10", field="value")  # fullwidth 10
    with pytest.raises(ValidationError) as refused:
        MileageClaim(miles="\uff11\uff15\uff10", rate="1", amount="1")
    [error] = refused.value.errors()
    assert error["loc"] == ("miles",) and "miles: must be written with the digits 0 to 9" in error["msg"]


def test_the_json_schema_documents_strings_not_numbers():
    properties = MileageClaim.model_json_schema()["properties"]
    assert properties["amount"]["type"] == "string"
    assert properties["amount"]["pattern"] == r"^-?\d+\.\d{2}$"
    assert properties["rate"]["pattern"] == r"^-?\d+\.\d{4}$"
    assert properties["miles"]["type"] == "string"
