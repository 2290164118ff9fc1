"""The rules of a claim and its items, without I/O (contract "Rules"; DOMAIN.md "One-off claims").

Each refusal is `Invalid` naming the field, in words the page shows beside it ("quantity must be more
than 0"). Numbers arrive as strings of digits (a form field, JSON "150.25"), ints or Decimals; a float
is refused (it cannot hold pence exactly).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from shared.attachments import HEIC, JPEG, PDF, PNG
from shared.errors import Invalid
from shared.money import MONEY_LIMIT, NOT_0_TO_9, NUMBER, line_total, other_digits, total

QUANTITY_MAX = Decimal("99999.99")
# An at-cost unit cost (parking, a train fare): pounds and pence, and small enough that no item's
# amount (at most 99,999.99 units) leaves the columns' numeric(12,2).
UNIT_COST_MAX = Decimal("99999.99")
NOTES_MAX = 1000
DESCRIPTION_MAX = 200
ITEMS_MAX = 100  # a claim is a handful of receipts; a page of it stays small
# What a receipt or a mileage log comes as: a scan, a photo (HEIC from an iPhone), a PDF.
ATTACHMENT_KINDS = (PDF, JPEG, PNG, HEIC)


def _number(value: object, field: str) -> Decimal:
    if isinstance(value, bool | float):
        raise Invalid.field(field, "must be a number written in digits, e.g. 150 or 12.50")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str) and NUMBER.fullmatch(value.strip()):
        number = Decimal(value.strip())
    elif isinstance(value, str) and other_digits(value.strip()):
        raise Invalid.field(field, f"{NOT_0_TO_9}, e.g. 150 or 12.50")
    elif value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid.field(field, "enter a number", code="missing-field")
    else:
        raise Invalid.field(field, "must be a number written in digits, e.g. 150 or 12.50")
    if not number.is_finite():
        raise Invalid.field(field, "must be a number written in digits, e.g. 150 or 12.50")
    return number


def _more_than_pence(number: Decimal) -> bool:
    """More than 2 decimal places ("1.005"; "1.50" is not), compared exactly: `number` is within the
    field's maximum already, so quantizing it never rounds past the context's precision."""
    return number != number.quantize(Decimal("0.01"))


def quantity(value: object) -> Decimal:
    """More than 0, at most 2 decimal places, at most 99,999.99; held with 2 places ("150.00")."""
    number = _number(value, "quantity")
    if number <= 0:
        raise Invalid.field("quantity", "must be more than 0")
    if number > QUANTITY_MAX:
        raise Invalid.field("quantity", f"must be at most {QUANTITY_MAX:,}")
    if _more_than_pence(number):
        raise Invalid.field("quantity", "has at most 2 decimal places")
    return number.quantize(Decimal("0.01"))


def item_unit_cost(level_unit_cost: Decimal | None, unit: str, sent: object) -> Decimal:
    """The item's unit cost: the level's when it has one (a different one sent is refused), else the
    provider's own for an at-cost level: more than 0, pounds and pence. Held with 4 places."""
    blank = sent is None or (isinstance(sent, str) and not sent.strip())
    if level_unit_cost is not None:
        if not blank and _number(sent, "unit_cost") != level_unit_cost:
            raise Invalid.field(
                "unit_cost", f"is set by the service level (£{level_unit_cost} a {unit}): leave it out"
            )
        return level_unit_cost.quantize(Decimal("0.0001"))
    if blank:
        raise Invalid.field(
            "unit_cost",
            "enter what one unit cost: this service level is claimed at cost",
            code="missing-field",
        )
    number = _number(sent, "unit_cost")
    if number <= 0:
        raise Invalid.field("unit_cost", "must be more than 0")
    if number > UNIT_COST_MAX:
        raise Invalid.field("unit_cost", f"must be at most £{UNIT_COST_MAX:,}")
    if _more_than_pence(number):
        raise Invalid.field("unit_cost", "is in pounds and pence: at most 2 decimal places")
    return number.quantize(Decimal("0.0001"))


def amount(units: Decimal, unit_cost: Decimal) -> Decimal:
    """quantity x unit cost, rounded half-up to the penny (the kit's one rounding): 150 x 0.387 = 58.05."""
    return line_total(units, unit_cost)


def claim_total(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of the items' amounts; refused (on quantity, what made it grow) past what the claim holds."""
    summed = total(amounts)
    if summed >= MONEY_LIMIT:
        raise Invalid.field("quantity", "makes the claim's total too large: split it into other claims")
    return summed


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February: a year before is 28 February
        return day.replace(year=day.year - 1, day=28)


def claim_date(day: date, *, today: date) -> date:
    """Not in the future; not more than a year ago."""
    if day > today:
        raise Invalid.field("claim_date", "cannot be in the future")
    earliest = _year_before(today)
    if day < earliest:
        raise Invalid.field(
            "claim_date", f"cannot be more than a year ago (before {earliest.day} {earliest:%B %Y})"
        )
    return day


def _text(value: str | None, field: str, limit: int) -> str:
    """PostgreSQL's text holds neither U+0000 nor half a UTF-16 pair, which JSON ("\\ud800") and a form
    in some charsets can carry: each is refused here, at its field, before it reaches the database."""
    text = (value or "").strip()
    if "\x00" in text:
        raise Invalid.field(field, "must not contain a NUL character")
    half = next((ch for ch in text if "\ud800" <= ch <= "\udfff"), None)
    if half is not None:
        raise Invalid.field(
            field,
            f"contains half of a UTF-16 surrogate pair (U+{ord(half):04X}), which is not a character:"
            " remove it",
        )
    if len(text) > limit:
        raise Invalid.field(field, f"must be {limit:,} characters or fewer (it has {len(text):,})")
    return text


def notes(value: str | None) -> str:
    """Optional, at most 1,000 characters."""
    return _text(value, "notes", NOTES_MAX)


def description(value: str | None) -> str:
    """Required, at most 200 characters."""
    text = _text(value, "description", DESCRIPTION_MAX)
    if not text:
        raise Invalid.field("description", "enter a description of what is claimed", code="missing-field")
    return text


def item_kind(value: str | None) -> str:
    if value not in ("client", "provider"):
        raise Invalid.field("kind", "must be client or provider")
    return value
