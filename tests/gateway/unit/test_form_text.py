"""A page form's text must be UTF-8 (gateway/web/form_text.py, the kit's shared/form_text.py): a field that is not is refused naming it,
urlencoded or multipart; UTF-8 text and a file's bytes go through, and the page then reads the same form."""

from __future__ import annotations

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.testclient import TestClient
from starlette.datastructures import UploadFile

from gateway.web.form_text import NotText, readable, require_text_fields
from shared.form_text import urlencoded_not_text

URLENCODED = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def client():
    app = FastAPI()

    async def refused(request: Request, exc: Exception) -> PlainTextResponse:
        assert isinstance(exc, NotText)
        return PlainTextResponse(exc.detail, status_code=exc.status)

    app.add_exception_handler(NotText, refused)

    @app.post("/form", dependencies=[Depends(require_text_fields)])
    async def form(request: Request) -> JSONResponse:
        read = await request.form()
        fields = {
            name: (await value.read()).hex() if isinstance(value, UploadFile) else value
            for name, value in read.multi_items()
        }
        return JSONResponse(fields)

    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"title=%FF%FE", "Title"),
        (b"a=1&service_start=caf%C3", "Service start"),
        (b"notes=caf\xc3\xa9", "Notes"),  # a byte not percent-encoded: Starlette reads it as Latin-1
        (b"ok=1&%FF=x", "A field's name"),
    ],
)
def test_a_urlencoded_field_that_is_not_utf8_is_named(client, body, field):
    assert readable(urlencoded_not_text(body) or "") == field
    answer = client.post("/form", content=body, headers=URLENCODED)
    assert answer.status_code == 400
    assert answer.text.startswith(f"{field} contains characters that are not valid text (UTF-8).")


def test_urlencoded_utf8_text_is_read_as_typed(client):
    body = b"title=caf%C3%A9+%E2%9C%93&empty=&plus=1%2B1&odd=100%&csrf_token=abc"
    assert urlencoded_not_text(body) is None
    answer = client.post("/form", content=body, headers=URLENCODED)
    assert answer.json() == {
        "title": "café ✓",
        "empty": "",
        "plus": "1+1",
        "odd": "100%",
        "csrf_token": "abc",
    }


def test_a_multipart_text_field_that_is_not_utf8_is_named_and_a_files_bytes_are_not_looked_into(client):
    refused = client.post("/form", files={"text": (None, b"fine"), "visit_date": (None, b"\xff\xfe")})
    assert refused.status_code == 400 and refused.text.startswith("Visit date contains characters")
    binary = b"%PDF\xff\xfe\x00\x01"
    answer = client.post(
        "/form", files={"title": (None, "café".encode()), "attachment": ("a.pdf", binary, "application/pdf")}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"title": "café", "attachment": binary.hex()}


def test_a_body_that_is_not_a_form_is_left_alone(client):
    assert client.post("/form", content=b"\xff", headers={"content-type": "text/plain"}).json() == {}


def test_a_field_is_named_as_a_person_reads_it():
    assert readable("claim_date-day") == "Claim date day"
    assert readable("") == readable("  ") == "A field's name"
