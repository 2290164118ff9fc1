"""An error raised by a page route whose title and detail are written for the person using the page
(shown on the error page as they are; any other error shows the standard text of its status)."""

from __future__ import annotations

import uuid

from shared.problems import Problem


class PageProblem(Problem):
    def __init__(self, status: int, title: str, *, detail: str) -> None:
        super().__init__(status, title, detail=detail)


# A page named by an id that cannot be one: the standard words (the service checks a well-formed id again).
NOT_FOUND = PageProblem(
    404,
    "Page not found",
    detail="If you typed the web address, check it is correct. If you pasted the web address, check you"
    " copied the entire address.",
)


def an_id(raw: str) -> str:
    """A uuid from the address, as the service names it; anything else is not a page."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise NOT_FOUND from None
