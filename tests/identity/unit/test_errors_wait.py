"""A rate limit's wait as a person reads it (identity.errors.wait_text)."""

from identity.errors import rate_limited, wait_text


def test_a_wait_is_in_whole_minutes_rounded_up_from_a_minute_on():
    assert [wait_text(s) for s in (1, 45, 60, 61, 619, 900)] == [
        "1 second",
        "45 seconds",
        "1 minute",
        "2 minutes",
        "11 minutes",
        "15 minutes",
    ]
    assert rate_limited(619, "login").detail == "Too many login attempts: try again in 11 minutes."
