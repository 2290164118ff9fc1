"""The areas of the portal's pages (web/<area>/: its routes and templates), and what each one that is
built puts on the shared pages: its task card on the home page, its line on the landing page and its
questions on the help page. A task that no built area registers is never linked from anywhere, so no
card and no line can lead to a page that does not exist yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request

from gateway.web.tasks import Task, TaskId
from shared.logging import get_logger

if TYPE_CHECKING:
    from gateway.web.session import SignedIn

# A line under a task's card on the home page, from the area's service (e.g. "2 past weeks to confirm");
# None for nothing to say. It must answer quickly and never fail the home page (the area's own care).
CardNote = Callable[[Request, "SignedIn"], Awaitable[str | None]]
# Whether the area's task is offered to this user at all (e.g. One-Off Claims only where the provider's
# authority takes claims): its card is shown only on a True given within OFFER_WAIT_SECONDS. A slow or
# failing answer hides the card (logged): a card that leads to a page saying "not offered" is worse
# than a card missing for a minute.
Offered = Callable[[Request, "SignedIn"], Awaitable[bool]]
OFFER_WAIT_SECONDS = 1.5
log = get_logger(__name__)


@dataclass(frozen=True)
class LandingLine:
    """One feature on the landing page's "What you can do" (seeds: "Submit Actuals", ...)."""

    title: str
    text: str


@dataclass(frozen=True)
class HelpTopic:
    """A question on the help page; its answer is a template of the area (rendered with the page's
    branding, so it can quote the authority's own rules and contact)."""

    question: str
    answer_template: str
    anchor: str


@dataclass(frozen=True)
class Area:
    name: str  # its folder under web/, and the prefix of its templates ("contacts/contacts.html")
    routers: tuple[APIRouter, ...]
    task: Task | None = None
    landing: LandingLine | None = None
    help: tuple[HelpTopic, ...] = ()
    templates: Path | None = None
    card_note: CardNote | None = None
    offered: Offered | None = None

    @classmethod
    def of(
        cls,
        module_file: str,
        *,
        routers: tuple[APIRouter, ...],
        task: Task | None = None,
        landing: LandingLine | None = None,
        help: tuple[HelpTopic, ...] = (),
        card_note: CardNote | None = None,
        offered: Offered | None = None,
    ) -> Area:
        """The area whose package is `module_file`'s folder (pass `__file__`), with its templates."""
        folder = Path(module_file).resolve().parent
        templates = folder / "templates"
        return cls(
            name=folder.name,
            routers=routers,
            task=task,
            landing=landing,
            help=help,
            templates=templates if templates.is_dir() else None,
            card_note=card_note,
            offered=offered,
        )


@dataclass(frozen=True)
class Areas:
    """Every built area, in the order their routes are tried."""

    built: tuple[Area, ...] = field(default_factory=tuple)

    @property
    def tasks(self) -> tuple[Task, ...]:
        """The home page's catalogue: the registered tasks, in the order of the seeds' home pages."""
        order = list(TaskId)
        return tuple(sorted((a.task for a in self.built if a.task), key=lambda t: order.index(t.id)))

    @property
    def landing_lines(self) -> tuple[LandingLine, ...]:
        by_task = {a.task.id: a.landing for a in self.built if a.task and a.landing}
        return tuple(by_task[task.id] for task in self.tasks if task.id in by_task)

    @property
    def help_topics(self) -> tuple[HelpTopic, ...]:
        return tuple(topic for area in self.built for topic in area.help)

    def task(self, task_id: TaskId) -> Task | None:
        return next((t for t in self.tasks if t.id is task_id), None)

    async def card_notes(
        self, request: Request, user: SignedIn, tasks: Sequence[TaskId]
    ) -> dict[TaskId, str]:
        """The notes of the cards shown (`tasks`), asked of their areas at once."""
        asking = [a for a in self.built if a.task and a.card_note and a.task.id in tasks]
        notes = await asyncio.gather(*(a.card_note(request, user) for a in asking if a.card_note))
        return {a.task.id: note for a, note in zip(asking, notes, strict=True) if a.task and note}

    async def hidden_tasks(
        self, request: Request, user: SignedIn, tasks: Sequence[TaskId]
    ) -> frozenset[TaskId]:
        """The tasks among `tasks` whose areas do not offer them to this user (asked at once)."""
        asking = [a for a in self.built if a.task and a.offered and a.task.id in tasks]
        answers = await asyncio.gather(*(_offered(a, request, user) for a in asking))
        return frozenset(a.task.id for a, shown in zip(asking, answers, strict=True) if a.task and not shown)

    def template_folders(self) -> dict[str, str]:
        return {a.name: str(a.templates) for a in self.built if a.templates is not None}

    def routers(self) -> Sequence[APIRouter]:
        return [router for area in self.built for router in area.routers]


async def _offered(area: Area, request: Request, user: SignedIn) -> bool:
    if area.offered is None:
        return True
    try:
        return bool(await asyncio.wait_for(area.offered(request, user), timeout=OFFER_WAIT_SECONDS))
    except Exception as exc:  # the home page never fails for a card: hidden, and said why
        log.warning("home_card_hidden", area=area.name, error=type(exc).__name__)
        return False
