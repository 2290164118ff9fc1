"""A whole number typed as text (a form's version, a count, a day of a date).

`str.isdigit()` is no test for it: it takes "²" and fullwidth digits, which `int()` then refuses or reads,
and `int()` refuses a string of more than 4,300 digits (ValueError, a 500 where it was not expected).
"""

from __future__ import annotations

import re

DIGITS = re.compile(r"[0-9]{1,9}")  # nine digits hold every version, count and date part the portal reads
SIGNED = re.compile(r"[+-]?[0-9]{1,9}")


def whole_number(text: str, *, signed: bool = False) -> int | None:
    """The number `text` writes in ASCII digits, blanks around it allowed; None when it writes none.
    `signed`: a sign is read too, so that a range rule can name a negative number as such."""
    text = text.strip()
    return int(text) if (SIGNED if signed else DIGITS).fullmatch(text) else None
