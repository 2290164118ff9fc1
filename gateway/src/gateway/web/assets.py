"""Static assets: the compiled GOV.UK Frontend stylesheet and script (built at set-up from the npm
registry, see package.json) and the portal's own few files, under a versioned URL so that browsers may
cache them for a year; plus each authority's colours as a small stylesheet, and its logo.

Only the files found in the static folder at start-up are served (no path from the URL ever reaches
the file system), and none of GOV.UK Frontend's own images or fonts is among them.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from gateway.web.branding import PORTAL, BrandingSource, brand_stylesheet
from shared.logging import get_logger

log = get_logger(__name__)
STATIC = Path(__file__).resolve().parents[1] / "static"
REQUIRED = ("dist/portal.css", "dist/govuk-frontend.min.js")
IMMUTABLE = "public, max-age=31536000, immutable"
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Asset:
    content: bytes
    media_type: str


class Assets:
    """Every static file, read once, and the version that names this set of files in URLs."""

    def __init__(self, files: dict[str, Asset]) -> None:
        self.files = files
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name].content)
        self.version = digest.hexdigest()[:12]

    @classmethod
    def load(cls, folder: Path = STATIC) -> Assets:
        files = {
            path.relative_to(folder).as_posix(): Asset(path.read_bytes(), _media_type(path))
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        }
        missing = [name for name in REQUIRED if name not in files]
        if missing:
            log.warning("frontend_not_built", missing=missing, fix="run scripts/setup.sh (npm ci + build)")
        return cls(files)

    def url(self, name: str) -> str:
        if name not in self.files:
            raise KeyError(f"no static asset {name!r}")
        return f"/assets/{self.version}/{name}"


def _media_type(path: Path) -> str:
    return _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


@router.get("/assets/brand/{slug}.css")
async def authority_stylesheet(slug: str, request: Request) -> Response:
    source: BrandingSource = request.app.state.web.branding
    max_age = 3600
    if slug == PORTAL.slug:  # the gateway's own pages, which list every council in its colours
        css = brand_stylesheet(PORTAL, others=await source.all())
        max_age = 60
    elif (branding := await source.get(slug)) is not None:
        css = brand_stylesheet(branding)
    else:
        raise HTTPException(404)
    # Pages name it with the branding's revision (?v=), so a council's new colour is a new URL.
    return Response(css, media_type="text/css", headers={"cache-control": f"public, max-age={max_age}"})


@router.get("/assets/brand/{slug}/logo")
async def authority_logo(slug: str, request: Request) -> Response:
    """The authority's logo, from identity (its type checked there from the content, and again here)."""
    source: BrandingSource = request.app.state.web.branding
    logo = await source.logo(slug)
    if logo is None:
        raise HTTPException(404)
    media_type, content = logo
    # Pages name it by its content's hash (?v=): kept a day when this is that content, else not at all
    # (a page rendered just before the logo changed asks for the old one).
    named = request.query_params.get("v") == hashlib.sha256(content).hexdigest()[:16]
    cache = "public, max-age=86400" if named else "no-cache"
    return Response(content, media_type=media_type, headers={"cache-control": cache})


@router.get("/assets/{version}/{name:path}")
async def static_asset(version: str, name: str, request: Request) -> Response:
    assets: Assets = request.app.state.web.assets
    asset = assets.files.get(name)
    if asset is None:
        raise HTTPException(404)
    # An old version's URL (a page rendered before a deployment) still gets the file, but not for long.
    cache = IMMUTABLE if version == assets.version else "no-cache"
    return Response(asset.content, media_type=asset.media_type, headers={"cache-control": cache})
