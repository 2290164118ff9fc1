"""The rules of an action without I/O: texts and their limits, due dates and status lights on given
days, and the thread's state machine (who may make which move, in which state, and whose turn follows)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from messaging.domain import rules
from messaging.domain.clock import Clock, FixedClock
from messaging.domain.rules import Light, Move
from shared.errors import Conflict, Forbidden, Invalid

MONDAY = date(2026, 3, 2)


def test_a_post_holds_up_to_7500_characters_and_no_blank():
    assert rules.post_text("  hello  ") == "hello"
    assert len(rules.post_text("x" * 7500)) == 7500
    with pytest.raises(Invalid) as refused:
        rules.post_text("x" * 7501)
    assert refused.value.fields[0].field == "text"
    assert "7,500 characters or fewer (it has 7,501)" in refused.value.detail
    with pytest.raises(Invalid, match="enter the message"):
        rules.post_text("   ")


def test_titles_reasons_and_names_are_bounded():
    assert rules.title("Query") == "Query"
    with pytest.raises(Invalid, match="title"):
        rules.title("x" * 201)
    with pytest.raises(Invalid, match="reason"):
        rules.closing_reason(None)
    with pytest.raises(Invalid, match="name"):
        rules.name("x" * 101)
    # a name reaches mail subjects: one line, as identity's names (found by a live probe)
    for broken in ("ZZ\nTeam", "ZZ\rTeam"):
        with pytest.raises(Invalid, match="must be on one line"):
            rules.name(broken, "name")


@pytest.mark.parametrize("days", [0, 366, True])
def test_a_response_time_is_1_to_365_days_or_none(days):
    with pytest.raises(Invalid, match="response_days"):
        rules.response_days(days)


def test_due_date_is_the_opening_day_plus_the_response_days_or_none():
    assert rules.response_days(None) is None and rules.response_days(10) == 10
    assert rules.due_date(MONDAY, 10) == date(2026, 3, 12)
    assert rules.due_date(MONDAY, None) is None


@pytest.mark.parametrize(
    ("status", "due", "today", "light"),
    [
        ("closed", date(2026, 3, 1), MONDAY, Light.green),  # closed: none pending, even past due
        ("open", None, MONDAY, Light.amber),  # no due date: never overdue
        ("open", MONDAY, MONDAY, Light.amber),  # due today: not yet overdue
        ("open", date(2026, 3, 1), MONDAY, Light.red),
        ("closure_requested", date(2026, 3, 1), MONDAY, Light.red),  # still open until the council closes it
    ],
)
def test_status_light(status, due, today, light):
    assert rules.light(status, due, today) is light
    assert rules.overdue(status, due, today) is (light is Light.red)


def test_a_lists_light_is_its_worst():
    assert rules.worst([]) is Light.green
    assert rules.worst([Light.green, Light.amber]) is Light.amber
    assert rules.worst([Light.amber, Light.red, Light.green]) is Light.red


def test_the_clock_gives_the_uk_date_and_a_fixed_clock_stands_still():
    late = FixedClock(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 on 1 July in London (BST)
    assert late.today() == date(2026, 7, 1) and late.now() == late.now()
    assert Clock().now().tzinfo is not None


@pytest.mark.parametrize(
    ("move", "side", "status", "assigned", "after"),
    [
        (Move.comment, "provider", "open", "council", ("open", "council")),
        (Move.comment, "council", "open", "provider", ("open", "provider")),
        (Move.reply, "provider", "open", "provider", ("open", "council")),
        (Move.reply, "council", "open", "council", ("open", "provider")),
        (Move.reply, "council", "closure_requested", "council", ("open", "provider")),
        (Move.reply, "provider", "closure_requested", "council", ("closure_requested", "council")),
        (Move.closure_request, "provider", "open", "provider", ("closure_requested", "council")),
        (Move.close, "council", "closure_requested", "council", ("closed", "council")),
        (Move.close, "council", "open", "provider", ("closed", "provider")),
        (Move.reassign, "council", "open", "council", ("open", "council")),
        (Move.attach, "provider", "open", "council", ("open", "council")),
    ],
)
def test_the_thread_moves(move, side, status, assigned, after):
    assert rules.after(move, side, status, assigned) == after


@pytest.mark.parametrize("move", list(Move))
def test_a_closed_action_takes_nothing(move):
    side = "provider" if move is Move.closure_request else "council"
    with pytest.raises(Conflict) as refused:
        rules.after(move, side, "closed", "council")
    assert refused.value.code == "action-closed"


@pytest.mark.parametrize(
    ("move", "side"),
    [(Move.close, "provider"), (Move.reassign, "provider"), (Move.closure_request, "council")],
)
def test_moves_of_the_other_side_are_refused(move, side):
    with pytest.raises(Forbidden):
        rules.after(move, side, "open", "council")


def test_closure_is_asked_for_once():
    with pytest.raises(Conflict) as refused:
        rules.after(Move.closure_request, "provider", "closure_requested", "council")
    assert refused.value.code == "already-pending"
    assert rules.other("provider") == "council" and rules.other("council") == "provider"
