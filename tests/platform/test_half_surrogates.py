"""Half a UTF-16 surrogate pair in a JSON body ("\\ud800"): every app made with the kit's factory refuses it
with 422 at its field, naming the code point, before any handler runs (shared.surrogates). Without the
check a `str` field took it and asyncpg, unable to encode it, answered 500. A whole pair (an emoji) is a
character and passes. The bodies are written by hand: httpx's json= cannot encode half a pair."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from shared.bulk import NDJSON, read_items
from shared.http import create_app
from shared.problems import PROBLEM_JSON
from shared.surrogates import may_hold_half_pairs

JSON = {"content-type": "application/json"}
HALF = "contains half of a UTF-16 surrogate pair (U+{}), which is not a character: remove it"


class Line(BaseModel):
    comment: Annotated[str, Field(max_length=5)] = ""


class Thing(BaseModel):
    title: str
    lines: list[Line] = []
    meta: dict[str, Any] = {}


@pytest.fixture
def handled() -> list[Any]:
    return []


@pytest.fixture
def client(handled: list[Any]) -> TestClient:
    router = APIRouter()

    @router.post("/things")
    async def add_thing(body: Thing) -> None:
        handled.append(body)

    @router.post("/items")
    async def add_items(request: Request) -> None:
        handled.append(await read_items(request, limit=10))

    @router.post("/bytes")
    async def add_bytes(request: Request) -> None:
        handled.append(await request.body())

    return TestClient(create_app(service="kit", title="kit", routers=[router]), raise_server_exceptions=False)


def post(client: TestClient, path: str, content: str | bytes, content_type: str = "application/json") -> Any:
    return client.post(path, content=content, headers={"content-type": content_type})


def test_half_a_pair_is_refused_at_its_field_naming_the_code_point(client, handled):
    answer = post(client, "/things", json.dumps({"title": "Rota \ud800"}))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM_JSON
    body = answer.json()
    assert body["type"] == "urn:provider-portal:problem:invalid-field"
    assert body["detail"] == "title: " + HALF.format("D800")
    assert body["errors"] == [{"source": "body", "field": "title", "message": HALF.format("D800")}]
    assert handled == []


def test_a_nested_field_is_named_as_the_schemas_refusals_name_it(client, handled):
    lines = [{"comment": "ok"}, {"comment": "x\udfff"}]
    refused = post(client, "/things", json.dumps({"title": "Rota", "lines": lines})).json()
    schema = post(
        client, "/things", json.dumps({"title": "Rota", "lines": [{}, {"comment": "x" * 6}]})
    ).json()
    assert (
        [e["field"] for e in refused["errors"]]
        == [e["field"] for e in schema["errors"]]
        == ["lines.1.comment"]
    )
    assert refused["errors"][0]["message"] == HALF.format("DFFF")  # not pydantic's "unable to parse raw data"
    assert handled == []


def test_every_half_is_named_at_once_keys_too(client, handled):
    body = {"title": "\udc00", "meta": {"colour\ud801": "red", "size": ["s", "\udbff"]}}
    answer = post(client, "/things", json.dumps(body)).json()
    assert answer["type"] == "urn:provider-portal:problem:invalid-fields"
    assert [(e["field"], e["message"]) for e in answer["errors"]] == [
        ("title", HALF.format("DC00")),
        ("meta.colour\\ud801", "its name " + HALF.format("D801")),
        ("meta.size.1", HALF.format("DBFF")),
    ]
    assert handled == []


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "\xed\xa0\x80"}',  # in raw bytes: Python reads them with "surrogatepass"
        json.dumps({"title": "\ud800"}, ensure_ascii=False).encode("utf-16-le", "surrogatepass"),
        b'{"title": "\\uD800"}',
    ],
    ids=["utf-8-bytes", "utf-16", "upper-case-escape"],
)
def test_half_a_pair_however_written_is_refused(client, handled, raw):
    answer = post(client, "/things", raw)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "title"
    assert handled == []


def test_nested_as_deep_as_the_parser_allows_is_refused_not_a_500(client, handled):
    deep = '{"a":' * 500 + '"\\ud800"' + "}" * 500
    answer = post(client, "/things", '{"title": "t", "meta": ' + deep + "}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "meta" + ".a" * 500


def test_a_whole_pair_and_an_escaped_backslash_are_text(client, handled):
    for raw in ('{"title": "\\ud83d\\ude00"}', '{"title": "\\uD83D\\uDE00"}', '{"title": "\\\\ud800"}'):
        assert post(client, "/things", raw).status_code == 200, raw
    assert [thing.title for thing in handled] == ["\U0001f600", "\U0001f600", "\\ud800"]


@pytest.mark.parametrize("content_type", ["application/json", NDJSON, "text/plain"])
def test_a_bulk_calls_half_pairs_are_named_at_their_items(client, handled, content_type):
    items = [{"reference": "A1", "name": "Ann"}, {"reference": "B2\ud800", "tags": ["x", "\udc00"]}]
    if content_type == NDJSON:
        raw = "\n".join(json.dumps(item) for item in items) + "\n\n"
    else:
        raw = json.dumps(items)
    answer = post(client, "/items", raw, content_type)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["type"] == "urn:provider-portal:problem:invalid-items"
    assert body["errors"] == [
        {"index": 1, "field": "reference", "message": HALF.format("D800")},
        {"index": 1, "field": "tags.1", "message": HALF.format("DC00")},
    ]
    assert body["detail"] == f"item 1, reference: {HALF.format('D800')} (and 1 more); nothing was written"
    assert handled == []
    kept = post(client, "/items", json.dumps([{"name": "Ann \U0001f600"}]), content_type)
    assert kept.status_code == 200, kept.text


def test_a_body_that_is_not_json_is_not_looked_into(client, handled):
    raw = b'{"title": "\\ud800"}'
    assert post(client, "/bytes", raw, "application/octet-stream").status_code == 200
    assert handled == [raw]


def test_only_a_body_that_may_hold_half_a_pair_is_walked():
    items = [{"reference": f"R{n}", "name": "Zoë \U0001f600 \ud7a3 caf\u00e9"} for n in range(1000)]
    assert not may_hold_half_pairs(json.dumps(items, ensure_ascii=False).encode())  # U+D7A3: Hangul, not half
    assert not may_hold_half_pairs(json.dumps({"a": "\u00e9\ud7ff"}).encode())
    assert may_hold_half_pairs(b'{"a": "\\ud800"}')
    assert may_hold_half_pairs(json.dumps({"a": "\U0001f600"}).encode())  # escaped as a pair: walked, kept
