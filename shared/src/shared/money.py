"""Money: pounds to the penny and unit rates to four places, as `Decimal`, never `float`.

One rounding rule, applied once, at the line: `line_total(units, rate)` is units x rate computed exactly,
then rounded half-up to the penny (ties away from zero, so a credit line is the mirror of its debit line:
37.025 → 37.03 and -37.025 → -37.03; PostgreSQL's `round(numeric, 2)` does the same). Sums of lines are
exact (`total`): they are never rounded again.

- In pydantic models use `Money`, `Rate` and `Units` as field types. They accept a string of the digits
  0 to 9 ("58.05", "-12.5"), an int or a Decimal, with at most 2 places for money and 4 for rates and units,
  and refuse floats (a float cannot hold 58.05, so it was already wrong before it got here), bools, NaN,
  infinities, exponents, thousands separators and currency signs, each with a message that names the
  field. Money is held with exactly 2 places and rates with exactly 4 ("58.1" → Decimal("58.10")); in JSON
  both are strings ("58.05"), so no client parses them back into a float.
- In PostgreSQL use `numeric(12,2)` for money and `numeric(12,4)` for rates (`MONEY_SQL`, `RATE_SQL`):
  asyncpg reads and writes them as Decimal, unchanged. The bounds below keep every accepted value inside
  those columns, so none is rounded or refused by the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, ValidationInfo, WithJsonSchema

from shared.errors import Invalid

PENNY = Decimal("0.01")
MONEY_SQL = "numeric(12,2)"
RATE_SQL = "numeric(12,4)"
# Largest magnitudes that fit the columns above: 10 digits before the point for money, 8 for rates.
MONEY_LIMIT = Decimal("10") ** 10
RATE_LIMIT = Decimal("10") ** 8
# Digits 0 to 9 with an optional point and sign: no exponent, no separators, no currency sign, and no
# other script's digits (fullwidth, Arabic-Indic...), which Decimal() would read as numbers.
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
ANY_DIGITS = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")  # \d: a digit of any script
NOT_0_TO_9 = "must be written with the digits 0 to 9"


def other_digits(text: str) -> bool:
    """A number NUMBER refuses only for its digits: said so, rather than "not a number"."""
    return not NUMBER.fullmatch(text) and ANY_DIGITS.fullmatch(text) is not None


class MoneyError(Invalid, ValueError):
    """A value refused as money, a rate or a number of units; the message names the field."""


def _decimal(value: object, field: str) -> Decimal:
    """The exact Decimal of an int, a Decimal or a string of digits; anything else is refused."""
    if isinstance(value, float):
        raise MoneyError(
            f"{field}: a float is not accepted (it cannot hold pence exactly); send a string such as"
            ' "58.05" or a Decimal'
        )
    if isinstance(value, bool):
        raise MoneyError(f"{field}: true/false is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if other_digits(text):
            raise MoneyError(f"{field}: {NOT_0_TO_9}, not {value[:40]!r}")
        if not NUMBER.fullmatch(text):
            raise MoneyError(f"{field}: {value[:40]!r} is not a number (write digits, e.g. 58.05)")
        return Decimal(text)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"{field}: {value} is not a finite amount")
        return value
    raise MoneyError(f"{field}: expected a number as a string, int or Decimal, not {type(value).__name__}")


def _fixed(value: object, *, field: str, places: int, limit: Decimal, what: str) -> Decimal:
    number = _decimal(value, field)
    step = Decimal(1).scaleb(-places)
    try:
        with localcontext() as ctx:
            ctx.prec = 40  # every value under the limits fits; a larger one is refused below
            fixed = number.quantize(step)
    except InvalidOperation:
        fixed = None
    if fixed is None or abs(fixed) >= limit:
        raise MoneyError(f"{field}: too large for {what} (it must be under {limit:,})")
    if fixed != number:
        raise MoneyError(f"{field}: {what} has at most {places} decimal places, not {str(number)[:40]}")
    return fixed if fixed else abs(fixed)  # -0.00 is 0.00


def to_money(value: object, *, field: str = "amount") -> Decimal:
    """An amount in pounds with exactly 2 places; refused (MoneyError) if it needs more, or is a float."""
    return _fixed(value, field=field, places=2, limit=MONEY_LIMIT, what="an amount in pounds")


def to_rate(value: object, *, field: str = "rate") -> Decimal:
    """A unit rate in pounds with exactly 4 places (e.g. 0.3870 per mile)."""
    return _fixed(value, field=field, places=4, limit=RATE_LIMIT, what="a unit rate")


def to_units(value: object, *, field: str = "units") -> Decimal:
    """A number of units (miles, hours, nights) with at most 4 places, without trailing zeros (2.50 is
    2.5, not 2.5000) or an exponent (100, not 1E+2)."""
    plain = _fixed(value, field=field, places=4, limit=RATE_LIMIT, what="a number of units").normalize()
    return plain.quantize(Decimal(1)) if plain == plain.to_integral_value() else plain


def line_total(units: object, rate: object) -> Decimal:
    """units x rate, exact, rounded half-up (ties away from zero) to the penny: the one rounding."""
    exact = to_units(units) * to_rate(rate)  # at most 8 places and 16 digits: exact in any context
    return to_money(exact.quantize(PENNY, rounding=ROUND_HALF_UP), field="line total")


def total(amounts: Iterable[object]) -> Decimal:
    """The exact sum of amounts that are each money (no rounding: every term has 2 places already)."""
    result = Decimal("0.00")
    for n, amount in enumerate(amounts):
        result += to_money(amount, field=f"amount {n + 1}")
    return result


def _validator(parse: Any) -> BeforeValidator:
    def validate(value: object, info: ValidationInfo) -> Decimal:
        return parse(value, field=info.field_name or "value")  # type: ignore[no-any-return]

    return BeforeValidator(validate)


def _schema(example: str, places: int) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "type": "string",
            "pattern": rf"^-?\d+\.\d{{{places}}}$",
            "examples": [example],
            "description": f"a decimal string with {places} places (never a JSON number)",
        }
    )


_AS_STRING = PlainSerializer(str, return_type=str, when_used="json")

Money = Annotated[Decimal, _validator(to_money), _AS_STRING, _schema("58.05", 2)]
Rate = Annotated[Decimal, _validator(to_rate), _AS_STRING, _schema("0.3870", 4)]
Units = Annotated[Decimal, _validator(to_units), _AS_STRING, WithJsonSchema({"type": "string"})]
