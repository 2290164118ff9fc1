"""Server-rendered pages. Foundation stage: a placeholder home page (the web portal issue builds on it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(request.app.state.templates.get_template("home.html").render())
