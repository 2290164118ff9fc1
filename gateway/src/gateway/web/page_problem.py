"""An error raised by a page route whose title and detail are written for the person using the page
(shown on the error page as they are; any other error shows the standard text of its status)."""

from __future__ import annotations

from shared.problems import Problem


class PageProblem(Problem):
    def __init__(self, status: int, title: str, *, detail: str) -> None:
        super().__init__(status, title, detail=detail)
