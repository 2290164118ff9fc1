"""The areas of the portal's pages (web/<area>/: its routes and templates), and what each one that is
built puts on the shared pages: its task card on the home page, its line on the landing page and its
questions on the help page. A task that no built area registers is never linked from anywhere, so no
card and no line can lead to a page that does not exist yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter

from gateway.web.tasks import Task, TaskId


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

    @classmethod
    def of(
        cls,
        module_file: str,
        *,
        routers: tuple[APIRouter, ...],
        task: Task | None = None,
        landing: LandingLine | None = None,
        help: tuple[HelpTopic, ...] = (),
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

    def template_folders(self) -> dict[str, str]:
        return {a.name: str(a.templates) for a in self.built if a.templates is not None}

    def routers(self) -> Sequence[APIRouter]:
        return [router for area in self.built for router in area.routers]
