"""The Scheduled Payments card's note on the home page (web/scheduled_payments/home_card.py)."""

from datetime import date

from gateway.web.scheduled_payments.home_card import note_text

BEFORE = date(2019, 10, 1)


def test_the_note_names_the_next_payment_and_counts_those_to_confirm():
    summary = {"next_payment": {"pay_date": "2019-10-15", "total": "1089.01"}, "unconfirmed": 2}
    assert (
        note_text(summary, today=BEFORE) == "Next payment £1,089.01 on 15 October 2019; 2 payments to confirm"
    )
    one = {"next_payment": {"pay_date": "2019-10-15", "total": "656.11"}, "unconfirmed": 1}
    assert note_text(one, today=BEFORE) == "Next payment £656.11 on 15 October 2019; 1 payment to confirm"
    assert (
        note_text(one, today=date(2019, 10, 15))
        == "Next payment £656.11 on 15 October 2019; 1 payment to confirm"
    )


def test_a_pay_date_passed_is_said_to_be_due_and_not_yet_paid():
    late = {"next_payment": {"pay_date": "2019-10-15", "total": "656.11"}, "unconfirmed": 1}
    assert note_text(late, today=date(2019, 10, 16)) == (
        "Next payment £656.11, due 15 October 2019, not yet paid; 1 payment to confirm"
    )


def test_nothing_to_say_is_no_note():
    assert note_text({"next_payment": None, "unconfirmed": 0}) is None
    assert note_text(
        {"next_payment": {"pay_date": "2019-10-15", "total": "5.00"}, "unconfirmed": 0}, today=BEFORE
    ) == ("Next payment £5.00 on 15 October 2019")
