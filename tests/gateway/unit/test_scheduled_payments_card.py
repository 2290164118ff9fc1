"""The Scheduled Payments card's note on the home page (web/scheduled_payments/home_card.py)."""

from gateway.web.scheduled_payments.home_card import note_text


def test_the_note_names_the_next_payment_and_counts_those_to_confirm():
    summary = {"next_payment": {"pay_date": "2019-10-15", "total": "1089.01"}, "unconfirmed": 2}
    assert note_text(summary) == "Next payment £1,089.01 on 15 October 2019; 2 payments to confirm"
    one = {"next_payment": {"pay_date": "2019-10-15", "total": "656.11"}, "unconfirmed": 1}
    assert note_text(one) == "Next payment £656.11 on 15 October 2019; 1 payment to confirm"


def test_nothing_to_say_is_no_note():
    assert note_text({"next_payment": None, "unconfirmed": 0}) is None
    assert note_text({"next_payment": {"pay_date": "2019-10-15", "total": "5.00"}, "unconfirmed": 0}) == (
        "Next payment £5.00 on 15 October 2019"
    )
