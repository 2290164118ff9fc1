"""How `make test` shares the test files between its two pytest-xdist workers (`--dist=loadfile`).

Every file of tests/browser and tests/e2e runs against the whole system as real processes (the session's
`stack` fixture: 14 processes) and the browser ones drive one Chromium. Spread over both workers, each
worker started its own stack and its own Chromium: about 40 CPU-seconds of start-up under coverage, and
14 more processes polling, for nothing. These files go to one worker as one unit of work (the largest, so
it is handed out first), while the other worker takes the rest file by file and then helps with whatever
is left."""

from __future__ import annotations

from xdist.scheduler import LoadFileScheduling

ON_THE_STACK = ("tests/browser/", "tests/e2e/")
STACK_UNIT = "tests on the stack (tests/browser, tests/e2e)"


def unit_of(nodeid: str) -> str:
    """The unit of work of a test: its file, or the one unit of every file that uses the stack."""
    path = nodeid.split("::", 1)[0]
    return STACK_UNIT if path.startswith(ON_THE_STACK) else path


class OneStackScheduling(LoadFileScheduling):  # type: ignore[misc]  (xdist is untyped)
    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)
