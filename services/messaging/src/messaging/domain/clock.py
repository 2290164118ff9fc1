"""The service's clock, injected so that due dates and status lights can be tested on a frozen day
(the API takes it from a dependency, `messaging.api.deps.clock`; the demo opens actions in the past)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


class Clock:
    """The real time; `today` is the date in the UK, where the councils' due dates fall."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(UK).date()


@dataclass(frozen=True)
class FixedClock(Clock):
    """A clock stopped at `at` (tests, and the demo's actions opened in the past)."""

    at: datetime

    def now(self) -> datetime:
        return self.at
