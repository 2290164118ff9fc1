"""The rule of what is still to come on a purchase order (payments.domain.purchase_orders): each
authorised CPLI's weekly cost pro rata by day over the unpaid rest of the year, rounded per CPLI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payments.domain.csv_cells import neutralise
from payments.domain.purchase_orders import Commissioned, StillToCome, order_title, still_to_come

YEAR = (date(2019, 4, 1), date(2020, 3, 31))


def cpli(cost: str, start: date = date(2019, 4, 1), end: date | None = None) -> Commissioned:
    return Commissioned(cost=Decimal(cost), start_date=start, end_date=end)


def test_from_the_day_after_the_last_day_paid_to_31_march():
    rest = still_to_come([cpli("353.08")], last_paid=date(2019, 10, 13), year=YEAR)
    assert rest == StillToCome(date(2019, 10, 14), date(2020, 3, 31), Decimal("8574.80"))  # 170 days


def test_nothing_paid_yet_counts_from_the_years_or_the_cplis_first_day():
    assert still_to_come([cpli("70.00")], last_paid=None, year=YEAR).amount == Decimal("3660.00")  # 366 days
    late = still_to_come([cpli("70.00", start=date(2020, 3, 25))], last_paid=None, year=YEAR)
    assert late == StillToCome(date(2020, 3, 25), date(2020, 3, 31), Decimal("70.00"))


def test_a_cpli_that_ends_first_stops_there_and_one_already_over_adds_nothing():
    rest = still_to_come(
        [cpli("303.03", end=date(2019, 12, 31)), cpli("100.00", end=date(2019, 10, 1))],
        last_paid=date(2019, 10, 13),
        year=YEAR,
    )
    assert rest == StillToCome(date(2019, 10, 14), date(2019, 12, 31), Decimal("3419.91"))  # 79 days


def test_each_cpli_is_rounded_half_up_to_the_penny_once():
    # 1 day of 0.35 a week is 0.05 exactly; 1 day of 0.31 is 0.04428...: 0.04; together 0.09.
    rest = still_to_come(
        [cpli("0.35", start=date(2020, 3, 31)), cpli("0.31", start=date(2020, 3, 31))],
        last_paid=None,
        year=YEAR,
    )
    assert rest.amount == Decimal("0.09")


def test_paid_to_the_years_end_leaves_nothing_to_come():
    assert still_to_come([cpli("353.08")], last_paid=date(2020, 3, 31), year=YEAR) == StillToCome(
        None, None, Decimal("0.00")
    )


def test_titles_as_the_seed_writes_them():
    assert order_title(
        kind="client", year="2019/2020", client_name="Simpson, Bart", client_reference="C2000020"
    ) == ("Simpson, Bart (C2000020) - 2019/2020")
    assert order_title(kind="one_off_claims", year="2019/2020", client_name=None, client_reference=None) == (
        "One-Off Claims - 2019/2020"
    )


def test_formula_like_cells_are_quoted_and_others_kept():
    assert [neutralise(c) for c in ("=1+1", "+44", "-2", "@A1", "\tx", "Simpson, Bart", "", None)] == [
        "'=1+1",
        "'+44",
        "'-2",
        "'@A1",
        "'\tx",
        "Simpson, Bart",
        "",
        "",
    ]
