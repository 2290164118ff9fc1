"""Financial years and VAT (payments.domain.periods): a year that is not one is named at its field, and
VAT is the exact product rounded half-up to the penny for any amount of money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payments.domain.periods import vat_of, year_bounds
from shared.errors import Invalid


def test_a_financial_year_runs_from_1_april_to_31_march():
    assert year_bounds(" 2019/2020 ") == (date(2019, 4, 1), date(2020, 3, 31))


@pytest.mark.parametrize("year", ["0000/0001", "2026", "2019/2021", "9999/10000"])
def test_a_year_that_is_not_one_is_invalid_year_at_financial_year(year):
    with pytest.raises(Invalid) as refused:
        year_bounds(year)
    assert refused.value.code == "invalid-year"
    assert [f.field for f in refused.value.fields or []] == ["financial_year"]


@pytest.mark.parametrize(
    ("excl_vat", "rate", "vat"),
    [
        ("300.05", "0.2000", "60.01"),
        ("0.10", "0.2500", "0.03"),  # 0.025: half-up
        ("-0.10", "0.2500", "-0.03"),  # a credit mirrors its debit
        ("100000000.00", "0.2000", "20000000.00"),  # past the number-of-units limit
        ("9999999999.99", "0.2000", "2000000000.00"),
    ],
)
def test_vat_is_the_exact_product_rounded_half_up_to_the_penny(excl_vat, rate, vat):
    assert vat_of(Decimal(excl_vat), Decimal(rate)) == Decimal(vat)
