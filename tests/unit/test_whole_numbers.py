"""shared.whole_numbers: a whole number is ASCII digits, at most nine, blanks around allowed."""

from __future__ import annotations

import pytest

from shared.whole_numbers import whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("7", 7),
        (" 0012 ", 12),
        ("999999999", 999_999_999),
        ("", None),
        ("1000000000", None),  # ten digits: no version, count or date part is that long
        ("9" * 5000, None),  # int() would raise ValueError (more than 4,300 digits)
        ("²", None),  # str.isdigit() takes it; int() raises ValueError
        ("\uff12", None),  # a fullwidth 2: int() reads it as 2
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("1 2", None),
    ],
)
def test_a_whole_number_is_ascii_digits_only(text: str, number: int | None) -> None:
    assert whole_number(text) == number


@pytest.mark.parametrize(("text", "number"), [("-1", -1), ("+7", 7), (" -0 ", 0), ("--1", None), ("-", None)])
def test_a_signed_whole_number_takes_one_sign(text: str, number: int | None) -> None:
    assert whole_number(text, signed=True) == number
