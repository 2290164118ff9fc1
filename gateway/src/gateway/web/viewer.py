"""Who is looking at a page, as the pages need it: the logged-in person's name, organisation and access,
and the portal they belong to (for Home and Log Out in every page's navigation)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.auth import Role


@dataclass(frozen=True)
class Viewer:
    name: str
    organisation_name: str
    role: Role
    can_edit: bool
    authority_slug: str

    @property
    def home_url(self) -> str:
        return f"/{self.authority_slug}/home"
