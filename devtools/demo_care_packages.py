"""The demo care packages' data (docs/demo.md): the clients, service levels and CPLIs of three councils,
as their systems would send them to actuals' council API; devtools/demo_actuals.py seeds them.

- Telford & Wrekin home care: Purple Care Ltd (P100201, pays on actuals), 40 clients on its two services,
  timetabled visits and weekly hours, "Home Care - Standard" with a rate change on the Wednesday of the
  current week (the current period has a mid-week change: "(avg price)"), some CPLIs awaiting
  authorisation and some historical (ended more than 28 days ago).
- Worcestershire adults: Portal Nursing Home (A2010, pays on planned), the four Portals of seed 002 with
  "Band 4 - Single Room - Long Term" at £646.06 Weekly and its supplements.
- Durham children's: the foster carer Sausage Sandwich (148) with fostering allowances in weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from actuals.domain.weeks import week_commencing
from shared.money import line_total, to_units

FIRST_OF_YEAR = date(2026, 4, 6)  # the financial year's first Monday: the demo packages' usual start

# Invented names; SSRefs as Telford's (six digits, as in docs/actuals.md's import example).
TELFORD_CLIENTS = [
    "Mrs Margaret Evans", "Mr Harold Jones", "Mrs Doreen Price", "Mr Kenneth Davies", "Mrs Joan Roberts",
    "Mr Dennis Morgan", "Mrs Brenda Hughes", "Mr Ronald Edwards", "Mrs Sheila Lloyd", "Mr Arthur Powell",
    "Mrs Irene Thomas", "Mr Leonard Griffiths", "Mrs Audrey Bennett", "Mr Stanley Owen", "Mrs Valerie Probert",
    "Mr Gordon Wilkes", "Mrs Patricia Baxter", "Mr Clifford Hale", "Mrs Maureen Corbett", "Mr Derek Pugh",
    "Mrs Jean Tranter", "Mr Raymond Onions", "Mrs Gwendoline Bowen", "Mr Frank Sambrook", "Mrs Elsie Dorricott",
    "Mr Walter Instone", "Mrs Beryl Jukes", "Mr Norman Ball", "Mrs Edna Tonks", "Mr Albert Rowley",
    "Mrs Hilda Pitchford", "Mr Cyril Bromley", "Mrs Marjorie Gittins", "Mr Eric Lowe", "Mrs Phyllis Benbow",
    "Mr George Pountney", "Mrs Vera Shingler", "Mr Horace Cartwright", "Mrs Nora Brisbourne", "Mr Alan Dodd",
]  # fmt: skip


@dataclass(frozen=True)
class DemoCouncilActuals:
    slug: str
    clients: list[dict[str, Any]]
    service_levels: list[dict[str, Any]]
    cplis: list[dict[str, Any]]  # `service` holds the service's reference; replaced by its id when seeded


def _cost(units: Decimal | int, rate: Decimal | str) -> str:
    """units x rate as actuals costs the same care (shared.money.line_total: half-up to the penny)."""
    return str(line_total(units, rate))


def _visits(pattern: list[tuple[str, int]], days: range) -> list[dict[str, Any]]:
    return [{"weekday": d, "start_time": t, "minutes": m, "carers": 1} for d in days for t, m in pattern]


def telford(today: date) -> DemoCouncilActuals:
    wednesday = week_commencing(today) + timedelta(days=2)
    standard_rates = [
        {"effective_from": FIRST_OF_YEAR.isoformat(), "rate": "21.4500"},
        {"effective_from": wednesday.isoformat(), "rate": "22.1000"},  # the mid-week change of this week
    ]
    levels = [
        {
            "reference": "TW-HC-STD",
            "name": "Home Care - Standard",
            "unit": "Hours",
            "extras_payable": True,
            "rates": standard_rates,
        },
        {
            "reference": "TW-XC-DAY",
            "name": "Extra Care - Daytime",
            "unit": "Hours",
            "extras_payable": False,
            "rates": [{"effective_from": FIRST_OF_YEAR.isoformat(), "rate": "19.8700"}],
        },
    ]
    clients = [
        {
            "reference": str(100201 + n),
            "name": name,
            "date_of_birth": date(1930 + n % 24, 1 + n % 12, 1 + (n * 7) % 28).isoformat(),
        }
        for n, name in enumerate(TELFORD_CLIENTS)
    ]
    rate = Decimal("21.45")
    cplis: list[dict[str, Any]] = []

    def cpli(n: int, **fields: Any) -> None:
        ssref = clients[n]["reference"]
        base = {
            "reference": f"TW-CPLI-{ssref}-{len([c for c in cplis if c['client_reference'] == ssref]) + 1}",
            "client_reference": ssref,
            "service_level_reference": "TW-HC-STD",
            "service": "TW-HC-0201-1",
            "care_package_ref": f"TW{ssref}/CP:{300000 + n}",
            "start_date": (FIRST_OF_YEAR + timedelta(weeks=n % 9)).isoformat(),
            "end_date": None,
            "frequency": "Weekly",
            "authorised": True,
        }
        cplis.append(base | fields)

    # 0-23: timetabled home care (a morning call every day; some a tea call too, some weekdays only).
    for n in range(24):
        days = range(7) if n % 4 else range(5)
        pattern = [("08:00", 45)] + ([("17:30", 30)] if n % 3 == 0 else [])
        timetable = _visits(pattern, days)
        hours = Decimal(sum(v["minutes"] for v in timetable)) / 60
        cpli(
            n,
            timetable=timetable,
            cost=_cost(hours, rate),
            pricing=f"{to_units(hours)} x Hours at £{rate} (Framework)",
        )
    # 24-33: Extra Care, hours a week without a timetable.
    for n in range(24, 34):
        units = Decimal(7) + Decimal("3.5") * (n % 4) if n % 2 else Decimal(10)
        cpli(
            n,
            service="TW-HC-0201-2",
            service_level_reference="TW-XC-DAY",
            units_per_week=str(units),
            cost=_cost(units, "19.87"),
            pricing=f"{to_units(units)} x Hours at £19.87 (Block)",
        )
    # 34-36: new packages awaiting authorisation.
    for n in range(34, 37):
        cpli(
            n,
            start_date=(week_commencing(today) - timedelta(weeks=1)).isoformat(),
            units_per_week="7",
            cost=_cost(7, rate),
            pricing=f"7 x Hours at £{rate} (Spot)",
            authorised=False,
        )
    # 37-39: historical packages (ended in the summer) and, for two of them, the package that followed.
    for n in range(37, 40):
        cpli(
            n,
            start_date=FIRST_OF_YEAR.isoformat(),
            end_date="2026-08-30",
            units_per_week="10.5",
            cost=_cost(Decimal("10.5"), rate),
            pricing=f"10.5 x Hours at £{rate} (Spot)",
        )
    for n in (37, 38):
        cpli(
            n,
            start_date="2026-08-31",
            timetable=_visits([("09:00", 60), ("19:00", 30)], range(7)),
            cost=_cost(Decimal("10.5"), rate),
            pricing=f"10.5 x Hours at £{rate} (Framework)",
        )
    return DemoCouncilActuals("telford-wrekin", clients, levels, cplis)


def worcestershire() -> DemoCouncilActuals:
    """Portal Nursing Home's residents and CPLIs as seed 002 shows them."""

    def weekly(reference: str, name: str, rate: str, since: str = "2018-04-01") -> dict[str, Any]:
        return {
            "reference": reference,
            "name": name,
            "unit": "Weeks",
            "extras_payable": False,
            "rates": [{"effective_from": since, "rate": rate}],
        }

    levels = [
        weekly("WCC-B4-SR-LT", "Band 4 - Single Room - Long Term", "646.0600"),
        weekly(
            "WCC-ABS-NLT",
            "Above Banding Supplement (payable by WCC Long Term) - Nursing Long Term",
            "122.8400",
        ),
        weekly("WCC-FNC-LT-SF", "FNC Standard Rate (LT) - Self Funding", "165.5600"),
    ]
    clients = [
        {"reference": "A201000005", "name": "Miss Pamela Portal", "date_of_birth": "1934-05-12"},
        {"reference": "A201000003", "name": "Mr Pedro Portal", "date_of_birth": "1931-09-30"},
        {"reference": "A201000004", "name": "Mrs Penelope Portal", "date_of_birth": "1936-02-17"},
        {"reference": "A201000002", "name": "Mr Peter Portal", "date_of_birth": "1929-11-03"},
    ]

    def placement(reference: str, client: str, level: str, cost: str, start: str, ref: str) -> dict[str, Any]:
        return {
            "reference": reference,
            "client_reference": client,
            "service_level_reference": level,
            "service": "WCC-RN-2010-1",
            "care_package_ref": ref,
            "start_date": start,
            "end_date": None,
            "cost": cost,
            "frequency": "Weekly",
            "pricing": f"1 x Placement at £{cost} (Spot)",
            "units_per_week": "1",
            "authorised": True,
        }

    cplis = [
        placement("WCC-735810", "A201000002", "WCC-B4-SR-LT", "646.06", "2018-12-26", "M2872/Migr:735810"),
        placement("WCC-735811", "A201000002", "WCC-ABS-NLT", "122.84", "2018-12-26", "M2872/Migr:735811"),
        placement(
            "WCC-780030", "A201000005", "WCC-FNC-LT-SF", "165.56", "2019-03-30", "AP200108001/Migr:780030"
        ),
        placement(
            "WCC-694930", "A201000004", "WCC-FNC-LT-SF", "165.56", "2018-03-27", "AP200184428/Migr:694930"
        ),
        placement("WCC-741207", "A201000003", "WCC-B4-SR-LT", "646.06", "2019-10-01", "M2901/Migr:741207"),
    ]
    return DemoCouncilActuals("worcestershire-adults", clients, levels, cplis)


def durham() -> DemoCouncilActuals:
    """Sausage Sandwich's foster placements: an allowance a week per child, by age band, at the amounts of
    the seed's Durham period (guide 004: £353.08 + £303.03 = £656.11 a week)."""
    levels = [
        {
            "reference": "DCC-FA-11-15",
            "name": "Fostering Allowance - Age 11 to 15",
            "unit": "Weeks",
            "extras_payable": False,
            "rates": [
                {"effective_from": "2025-04-07", "rate": "342.8000"},
                {"effective_from": "2026-04-06", "rate": "353.0800"},
            ],
        },
        {
            "reference": "DCC-FA-5-10",
            "name": "Fostering Allowance - Age 5 to 10",
            "unit": "Weeks",
            "extras_payable": False,
            "rates": [
                {"effective_from": "2025-04-07", "rate": "294.2000"},
                {"effective_from": "2026-04-06", "rate": "303.0300"},
            ],
        },
    ]
    clients = [
        {"reference": "DC1480001", "name": "Tyler Bramwell", "date_of_birth": "2013-06-21"},
        {"reference": "DC1480002", "name": "Kayla Bramwell", "date_of_birth": "2018-01-09"},
    ]
    cplis = [
        {
            "reference": "DCC-FC-148-0001",
            "client_reference": "DC1480001",
            "service_level_reference": "DCC-FA-11-15",
            "service": "DCC-FC-148-1",
            "care_package_ref": "FC148/PL:0001",
            "start_date": "2025-09-01",
            "end_date": None,
            "cost": "353.08",
            "frequency": "Weekly",
            "pricing": "1 x Week at £353.08 (Fostering Allowance)",
            "units_per_week": "1",
            "authorised": True,
        },
        {
            "reference": "DCC-FC-148-0002",
            "client_reference": "DC1480002",
            "service_level_reference": "DCC-FA-5-10",
            "service": "DCC-FC-148-1",
            "care_package_ref": "FC148/PL:0002",
            "start_date": "2025-09-01",
            "end_date": None,
            "cost": "303.03",
            "frequency": "Weekly",
            "pricing": "1 x Week at £303.03 (Fostering Allowance)",
            "units_per_week": "1",
            "authorised": True,
        },
    ]
    return DemoCouncilActuals("durham-childrens", clients, levels, cplis)


def demo_councils(today: date) -> list[DemoCouncilActuals]:
    return [telford(today), worcestershire(), durham()]
