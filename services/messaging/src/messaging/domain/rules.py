"""The rules of an action and its thread, without I/O (DOMAIN.md "Actions and change requests"; seed 004
section 4). Each refusal is a domain error naming the field or the state, in the words a page shows.

- Texts: a post's text is 1 to 7,500 characters (the seed's limit), a title 1 to 200, a closing reason
  1 to 1,000; surrounding white space is not counted.
- Due date: the day the action was opened (in the UK) plus its type's response time in calendar days;
  no due date ("--" in the seed's list) when the type has none.
- Status light (seed 004's list and home card): green when nothing is pending (closed), amber while open
  (or waiting for its closure), red once open past its due date. A list's light is its worst action's.
- The thread: a Comment leaves the action with whoever holds it; a Reply passes it to the other side; a
  provider may ask for it to be closed (it goes to the council); only the council closes it, with a
  reason, or moves it to another team; a closed action takes nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from shared.errors import Conflict, Forbidden, Invalid

TEXT_MAX = 7500
TITLE_MAX = 200
REASON_MAX = 1000
NAME_MAX = 100
MAILBOX_MAX = 254  # RFC 5321: the longest address (the table checks it too)
RESPONSE_DAYS_MAX = 365

Side = Literal["provider", "council"]


class Light(StrEnum):
    green = "green"  # none pending
    amber = "amber"  # open
    red = "red"  # overdue


def _bounded(value: str | None, field: str, limit: int, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid.field(field, f"enter the {what}", code="missing-field")
    if len(text) > limit:
        raise Invalid.field(
            field, f"must be {limit:,} characters or fewer (it has {len(text):,})", code="too-long"
        )
    return text


def post_text(value: str | None) -> str:
    return _bounded(value, "text", TEXT_MAX, "message")


def title(value: str | None) -> str:
    return _bounded(value, "title", TITLE_MAX, "title")


def closing_reason(value: str | None) -> str:
    return _bounded(value, "reason", REASON_MAX, "reason for closing the action")


def name(value: str | None, field: str = "name") -> str:
    """A team's or an action type's name: one line (it reaches mail subjects, as identity's names do)."""
    text = _bounded(value, field, NAME_MAX, "name")
    if any(ch in text for ch in "\r\n"):
        raise Invalid.field(
            field, "must be on one line: no carriage return or line feed", code="invalid-field"
        )
    return text


def response_days(value: int | None) -> int | None:
    """A type's response time: whole days from 1 to 365, or none (no due date)."""
    if value is None:
        return None
    if isinstance(value, bool) or not 1 <= value <= RESPONSE_DAYS_MAX:
        raise Invalid.field(
            "response_days", f"must be a whole number of days from 1 to {RESPONSE_DAYS_MAX}, or null"
        )
    return value


def due_date(opened_on: date, days: int | None) -> date | None:
    return None if days is None else opened_on + timedelta(days=days)


def overdue(status: str, due: date | None, today: date) -> bool:
    return status != "closed" and due is not None and today > due


def light(status: str, due: date | None, today: date) -> Light:
    if status == "closed":
        return Light.green
    return Light.red if overdue(status, due, today) else Light.amber


def worst(lights: Iterable[Light]) -> Light:
    """The light of a list: red if any is red, amber if any is amber, green otherwise (or when empty)."""
    seen = set(lights)
    for colour in (Light.red, Light.amber):
        if colour in seen:
            return colour
    return Light.green


# --- the thread ---------------------------------------------------------------------------------


class Move(StrEnum):
    comment = "comment"
    reply = "reply"
    closure_request = "closure_request"
    close = "close"
    reassign = "reassign"
    attach = "attach"


def other(side: Side) -> Side:
    return "council" if side == "provider" else "provider"


def require_open(status: str) -> None:
    """A closed action is read-only."""
    if status == "closed":
        raise Conflict(
            "this action is closed: it can be read but nothing can be added to it", code="action-closed"
        )


def require_side(move: Move, side: Side) -> None:
    """Who may make each move: closing and reassigning are the council's, asking to close the
    provider's; both sides comment, reply and attach."""
    if move in (Move.close, Move.reassign) and side != "council":
        raise Forbidden(
            "only the council closes an action or moves it to another team: ask for it to be closed",
            code="council-only",
        )
    if move is Move.closure_request and side != "provider":
        raise Forbidden("the council closes the action itself", code="provider-only")


def after(move: Move, side: Side, status: str, assigned_to: Side) -> tuple[str, Side]:
    """The action's (status, assigned_to) after `side` makes `move`; refuses a move the state or the
    side does not allow."""
    require_side(move, side)
    require_open(status)
    if move in (Move.comment, Move.attach, Move.reassign):
        return status, assigned_to
    if move is Move.reply:
        # The council answering a closure request keeps the action open (the request is rejected).
        return ("open" if side == "council" else status), other(side)
    if move is Move.closure_request:
        if status == "closure_requested":
            raise Conflict("the closure of this action has already been asked for", code="already-pending")
        return "closure_requested", "council"
    return "closed", assigned_to  # Move.close
