"""A whole number typed as text (a form's version, a count, a day of a date).

`str.isdigit()` is no test for it: it takes "²" and fullwidth digits, which `int()` then refuses or reads,
and `int()` refuses a string of more than 4,300 digits (ValueError, a 500 where it was not expected).
"""

from __future__ import annotations

import re

DIGITS = re.compile(r"[0-9]{1,9}")  # nine digits hold every version, count and date part the portal reads


def whole_number(text: str) -> int | None:
    """The number `text` writes in ASCII digits, blanks around it allowed; None when it writes none."""
    text = text.strip()
    return int(text) if DIGITS.fullmatch(text) else None
