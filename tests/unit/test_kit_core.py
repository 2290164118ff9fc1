"""The kit's pure pieces: domain errors and their one mapping to problem+json, the scoped-SQL guard,
typed records."""

from __future__ import annotations

import uuid
from typing import Annotated

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.errors import Conflict, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthenticated
from shared.problems import PROBLEM_JSON, install_problem_handlers
from shared.records import Record
from shared.store import AuthorityScope, Scope, Unscoped, scoped_sql


def app_raising(error: Exception) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/x")
    async def x() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("error", "status", "type_"),
    [
        (NotFound.of("claim"), 404, "about:blank"),
        (Forbidden("your access is read-only"), 403, "about:blank"),
        (
            Conflict("already decided", code="already-decided"),
            409,
            "urn:provider-portal:problem:already-decided",
        ),
        (
            Invalid.field("phone", "is longer than 20 characters"),
            422,
            "urn:provider-portal:problem:invalid-field",
        ),
    ],
)
def test_each_domain_error_becomes_one_problem_at_the_edge(error, status, type_):
    answer = app_raising(error).get("/x")
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM_JSON
    body = answer.json()
    assert (body["status"], body["type"], body["detail"]) == (status, type_, error.detail)


def test_field_errors_name_the_field_for_the_pages():
    body = app_raising(Invalid.field("phone", "is longer than 20 characters")).get("/x").json()
    assert body["errors"] == [{"source": "body", "field": "phone", "message": "is longer than 20 characters"}]


class LimitedBody(BaseModel):
    name: Annotated[str, Field(max_length=5)]
    count: int


def test_a_schema_refusal_of_a_long_text_is_said_as_the_rules_say_it():
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/x")
    def take(body: LimitedBody) -> None:
        return None

    client = TestClient(app)
    one = client.post("/x", json={"name": "abcdefgh", "count": 1}).json()
    assert one["errors"] == [
        {"source": "body", "field": "name", "message": "must be 5 characters or fewer (it has 8)"}
    ]
    assert one["detail"] == "name: must be 5 characters or fewer (it has 8)"  # one fault: said whole
    two = client.post("/x", json={"name": "abcdefgh", "count": "many"}).json()
    assert two["detail"] == "Check these fields: name, count"
    assert two["errors"][1]["message"].startswith("Input should be a valid integer")


def test_rate_limits_and_challenges_carry_their_headers():
    limited = app_raising(TooManyAttempts("Too many login attempts.", retry_after=30)).get("/x")
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "30")
    challenged = app_raising(Unauthenticated("log in again", challenge=True)).get("/x")
    assert challenged.headers["www-authenticate"] == "Bearer"
    assert "www-authenticate" not in app_raising(Unauthenticated("no")).get("/x").headers


def caller() -> Principal:
    return Principal(
        subject="p",
        kind=PrincipalKind.user,
        authority_id=uuid.uuid4(),
        organisation_id=uuid.uuid4(),
        role=Role.care,
        can_edit=False,
        scope_type=ScopeType.organisation,
        scope_id=None,
    )


def test_the_scope_filter_goes_where_the_marker_is_with_parameters_after_the_querys_own():
    who = caller()
    sql, params = scoped_sql("SELECT 1 FROM t WHERE {scope} AND ref = $1", ("R1",), Scope.of(who))
    assert sql == "SELECT 1 FROM t WHERE (authority_id = $2 AND organisation_id = $3) AND ref = $1"
    assert params == ["R1", who.authority_id, who.organisation_id]


def test_a_scoped_query_without_the_marker_or_an_unscoped_one_with_it_is_refused():
    with pytest.raises(ValueError, match="marker"):
        scoped_sql("SELECT 1 FROM t", (), Scope.of(caller()))
    with pytest.raises(ValueError, match="marker"):
        scoped_sql("SELECT 1 FROM t WHERE {scope}", (), Unscoped("consumer"))
    with pytest.raises(ValueError, match="say why"):
        Unscoped("  ")
    authority = uuid.uuid4()
    assert scoped_sql("SELECT 1 FROM t WHERE {scope}", (), AuthorityScope(authority)) == (
        "SELECT 1 FROM t WHERE (authority_id = $1)",
        [authority],
    )


class Client(Record):
    ssref: str
    name: str


def test_records_ignore_extra_columns_and_keep_none_as_none():
    assert Client.from_row({"ssref": "123", "name": "A", "extra": 1}) == Client(ssref="123", name="A")
    assert Client.maybe(None) is None
    assert Client.from_rows([{"ssref": "1", "name": "B"}])[0].name == "B"


def test_the_kit_pieces_refuse_with_domain_errors_the_edge_maps():
    from shared.attachments.backends import AttachmentStoreError
    from shared.attachments.content import AttachmentRefused
    from shared.attachments.store import AttachmentNotFound
    from shared.jobs import JobError, JobNotFound, JobTransitionRefused
    from shared.money import MoneyError

    statuses = {
        MoneyError: 422,
        JobError: 422,
        JobTransitionRefused: 409,
        JobNotFound: 404,
        AttachmentRefused: 422,
        AttachmentNotFound: 404,
        AttachmentStoreError: 503,
    }
    for error, status in statuses.items():
        answer = app_raising(error("refused for the test")).get("/x")
        assert (answer.status_code, answer.json()["detail"]) == (status, "refused for the test"), error
