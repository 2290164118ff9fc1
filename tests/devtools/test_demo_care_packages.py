"""The demo care packages' data (devtools/demo_care_packages.py) without a database: each seeded CPLI's
weekly cost is the cost actuals works out for the same care (shared.money.line_total, rounded half-up),
so the Care Package Line Items page and Actuals agree to the penny."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from devtools.demo_care_packages import demo_councils
from shared.money import line_total

# "10.5 x Hours at £21.45 (Spot)": plain numbers (10, not 1E+1)
PRICING = re.compile(r"^(?P<units>[0-9]+(\.[0-9]+)?) x .* at £(?P<rate>[0-9]+\.[0-9]+) \(")


def test_every_seeded_cost_is_the_line_total_of_its_units_and_rate():
    checked = 0
    for council in demo_councils(date(2026, 10, 14)):
        for cpli in council.cplis:
            found = PRICING.match(cpli["pricing"])
            assert found, cpli["pricing"]
            units = Decimal(found["units"])
            if "timetable" in cpli:  # the timetable's hours are the units
                assert units == Decimal(sum(v["minutes"] for v in cpli["timetable"])) / 60
            else:
                assert units == Decimal(cpli["units_per_week"])
            assert Decimal(cpli["cost"]) == line_total(units, found["rate"]), cpli["reference"]
            checked += 1
    assert checked > 40


def test_mr_horace_cartwrights_ten_and_a_half_hours_cost_225_23():
    telford = demo_councils(date(2026, 10, 14))[0]
    ssref = next(c["reference"] for c in telford.clients if c["name"] == "Mr Horace Cartwright")
    costs = {c["cost"] for c in telford.cplis if c["client_reference"] == ssref}
    assert costs == {"225.23"}  # 10.5 h x £21.45 = 225.225, half-up
