"""How the actuals and CPLI pages write figures and dates: money as "£1,234.56", quantities as the
service gives them ("10.25"), dates as the council guides write them ("23/11/2026"), weeks by their
Monday ("Week beginning 23 November 2026"), and the week before and after."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation


def money(value: object) -> str:
    """£1,234.56 (the service's exact decimal, never a float)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def quantity(value: object) -> str:
    """10, 9.75, 0.5: the units without trailing zeros; blank for none."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rate(value: object) -> str:
    """A unit rate to the penny, or to the 4 places it was set with when they are not zeros."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ""
    pennies = amount.quantize(Decimal("0.01"))
    return f"£{amount:,.4f}" if pennies != amount else f"£{pennies:,.2f}"


def uk_date(value: object) -> str:
    """2026-11-23 as 23/11/2026 (the seeds' lists); blank for none."""
    day = parse_date(value)
    return day.strftime("%d/%m/%Y") if day else ""


def long_date(value: object) -> str:
    """2026-11-23 as 23 November 2026."""
    day = parse_date(value)
    return f"{day.day} {day:%B %Y}" if day else ""


def parse_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_of(value: str | None, *, today: date) -> date:
    """The Monday of the week the picked date falls in (this week when none or not a date)."""
    return monday(parse_date(value) or today) if value else monday(today)


def neighbours(week: date) -> tuple[date | None, date | None]:
    """The Mondays of the week before and the week after (None past the calendar's first or last day:
    a week of year 1 or 9999 may be asked for, and has no neighbour there)."""
    return _moved(week, -7), _moved(week, 7)


def _moved(day: date, days: int) -> date | None:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def hours(minutes: object) -> str:
    """90 minutes as "1.5" hours."""
    try:
        return quantity(Decimal(str(minutes)) / 60)
    except InvalidOperation:
        return ""
