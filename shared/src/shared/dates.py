"""The dates the portal keeps for its business (weeks, care package lines, rates, payment calendars):
2000 to 2099, one range for every service.

Beyond being meaningless for care commissioned today, the calendar's ends break things: asyncpg stores
Python's `date.min` (0001-01-01) and `date.max` (9999-12-31) as PostgreSQL's `-infinity` and `infinity`,
which SQL's `extract(...)::int` cannot read (a confirmed week of 0001-01-01 made the reports' choices a
500), and a week after 9999-12-27 cannot be computed at all. A council system's "no end" of 9999-12-31 is
an open-ended line: it is sent as null.
"""

from __future__ import annotations

from datetime import date

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def out_of_range(day: date) -> str | None:
    """What is wrong with a business date outside 2000 to 2099, or None."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"must be from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()} (it is {day.isoformat()})"
