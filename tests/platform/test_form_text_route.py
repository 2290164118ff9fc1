"""A kit app's router made with `TextFormRoute` (shared/form_text.py): an operation taking `Form()` fields
never sees a text field that is not UTF-8. Starlette would read it as Latin-1 (multipart) or a bad
percent-escape as U+FFFD (urlencoded); the kit refuses it with 422 at the field before the operation
runs. A charset the client declares is honoured, and a file's bytes are not looked into."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import APIRouter, File, Form, UploadFile
from fastapi.testclient import TestClient

from shared.form_text import TextFormRoute
from shared.http import create_app

NOT_TEXT = "contains characters that are not valid text (UTF-8)"


@pytest.fixture
def handled() -> list[Any]:
    return []


@pytest.fixture
def client(handled: list[Any]) -> TestClient:
    router = APIRouter(route_class=TextFormRoute)

    @router.post("/notes")
    async def add_note(
        title: Annotated[str, Form()], scan: Annotated[UploadFile | None, File()] = None
    ) -> dict[str, str]:
        handled.append(title)
        return {"title": title, "scan": (await scan.read()).hex() if scan else ""}

    return TestClient(create_app(service="kit", title="kit", routers=[router]), raise_server_exceptions=False)


def multipart(fields: dict[str, bytes], charset: str = "") -> tuple[bytes, dict[str, str]]:
    body = b"".join(
        b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), value)
        for name, value in fields.items()
    )
    kind = f"multipart/form-data; {'charset=' + charset + '; ' if charset else ''}boundary=B"
    return body + b"--B--\r\n", {"content-type": kind}


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        multipart({"title": b"Mileage \xff\xfe"}),
        (b"title=Mileage+%FF%FE", {"content-type": "application/x-www-form-urlencoded"}),
        (b"title=caf\xe9", {"content-type": "application/x-www-form-urlencoded"}),
    ],
    ids=["multipart", "urlencoded-escape", "urlencoded-raw-byte"],
)
def test_a_text_field_that_is_not_utf8_is_refused_at_it_before_the_operation(
    client, handled, content, headers
):
    answer = client.post("/notes", content=content, headers=headers)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"].endswith(":not-text"), problem
    assert problem["errors"] == [{"source": "body", "field": "title", "message": NOT_TEXT}], problem
    assert handled == []


def test_utf8_text_a_declared_charset_and_a_files_bytes_are_read_as_sent(client, handled):
    typed = client.post("/notes", files={"title": (None, "café ✓".encode())})
    assert typed.json() == {"title": "café ✓", "scan": ""}
    content, headers = multipart({"title": b"caf\xe9"}, charset="latin-1")
    assert client.post("/notes", content=content, headers=headers).json()["title"] == "café"
    binary = b"%PDF\xff\xfe\x00"
    with_file = client.post(
        "/notes", files={"title": (None, b"scan"), "scan": ("s.pdf", binary, "application/pdf")}
    )
    assert with_file.json() == {"title": "scan", "scan": binary.hex()}
    assert handled == ["café ✓", "café", "scan"]
