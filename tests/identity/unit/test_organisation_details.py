"""An organisation's details as a provider asks to change them: tidied, and only what differs asked for."""

from __future__ import annotations

from identity.domain.organisation import changed_details, tidy

HELD = {
    "name": "Purple Care Ltd",
    "address": "Unit 4, Hortonwood 30\nTelford",
    "postcode": "TF1 7YD",
    "phone": "01632 960201",
    "email": "office@purplecare.example",
}


def test_tidy_trims_lines_and_normalises_postcode_and_email():
    asked = tidy(
        {
            "name": "  Purple   Care Ltd ",
            "address": " Unit 4, Hortonwood 30 \r\n\r\n  Telford\n",
            "postcode": " tf1   7yd ",
            "phone": "01632  960201 ",
            "email": " Office@PurpleCare.Example ",
        }
    )
    assert asked == HELD


def test_only_the_details_that_differ_are_asked_for_in_a_fixed_order():
    assert changed_details(HELD, HELD) == []
    asked = {**HELD, "email": "accounts@purplecare.example", "postcode": "TF3 4JA"}
    assert changed_details(HELD, asked) == ["postcode", "email"]
    assert changed_details({"name": "Purple Care Ltd"}, HELD) == ["address", "postcode", "phone", "email"]
