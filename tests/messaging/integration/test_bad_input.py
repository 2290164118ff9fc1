"""Bad input to the messaging APIs: each refusal names what is wrong (a field, a state, a side) and
nothing changes: no action, no post, no event, no request."""

from __future__ import annotations

import json
import uuid

import pytest

from shared.auth import PrincipalKind, Role
from tests.messaging.support import (
    API,
    COUNCIL,
    add_tenant,
    bearer,
    configure,
    count_actions,
    messaging_api,
    messaging_conn,
    new_action,
    snapshot,
)


@pytest.fixture(scope="module")
async def api(env):
    async with messaging_api(env) as client:
        yield client


@pytest.fixture(scope="module")
async def two_councils(env, api):
    """Two authorities, each configured with the seeds' defaults; the first with two providers."""
    a, b = uuid.uuid4(), uuid.uuid4()
    async with messaging_conn(env) as conn:
        mine = await add_tenant(conn, authority_id=a, label="bad-A1")
        neighbour = await add_tenant(conn, authority_id=a, label="bad-A2")
        stranger = await add_tenant(conn, authority_id=b, label="bad-B1")
    return mine, neighbour, stranger, await configure(api, env, a), await configure(api, env, b)


def problem(answer, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    if code:
        assert body["type"].endswith(f":{code}"), body
    if field:
        assert field in {e["field"] for e in body.get("errors") or []}, body
    return body


async def test_new_actions_refused_with_the_field_named_and_nothing_made(env, api, two_councils):
    mine, neighbour, stranger, config, other_config = two_councils
    headers = mine.headers(env)
    good = {
        "type_id": config["Foster Carer Query"]["type_id"],
        "related_kind": "provider",
        "title": "A query",
        "text": "A question",
    }
    cases = [
        ({"text": "x" * 7501}, 422, "too-long", "text"),
        ({"title": "x" * 201}, 422, "too-long", "title"),
        ({"text": "   "}, 422, "missing-field", "text"),
        ({"type_id": other_config["Foster Carer Query"]["type_id"]}, 422, "unknown-type", "type_id"),
        ({"team_id": other_config["team:Payments"]["team_id"]}, 422, "unknown-team", "team_id"),
        (
            {"related_kind": "client", "related_id": str(neighbour.client_id)},
            422,
            "unknown-client",
            "related_id",
        ),
        (
            {"related_kind": "client", "related_id": str(stranger.client_id)},
            422,
            "unknown-client",
            "related_id",
        ),
        (
            {"related_kind": "service", "related_id": str(neighbour.service_id)},
            422,
            "unknown-service",
            "related_id",
        ),
        ({"related_kind": "service"}, 422, None, "related_id"),
        ({"related_kind": "provider", "related_id": str(neighbour.organisation_id)}, 422, None, "related_id"),
        ({"text": "x" * 7501, "type_id": str(uuid.uuid4())}, 422, "invalid-fields", "type_id"),
    ]
    for change, status, code, field in cases:
        body = problem(
            await api.post(f"{API}/actions", json={**good, **change}, headers=headers), status, code, field
        )
        assert "7,501" in body["detail"] or "text" not in change or change["text"].strip() == "", body
    assert await count_actions(env, mine.organisation_id) == 0
    # The same form, right, is taken: the refusals were about what each case changed.
    await new_action(api, headers, **good)
    assert await count_actions(env, mine.organisation_id) == 1


async def test_callers_who_may_not_write_are_refused(env, api, two_councils):
    mine, _, _, config, _ = two_councils
    good = {
        "type_id": config["Brokerage Message"]["type_id"],
        "related_kind": "provider",
        "title": "T",
        "text": "x",
    }
    before = await count_actions(env, mine.organisation_id)
    read_only = mine.headers(env, can_edit=False)
    problem(await api.post(f"{API}/actions", json=good, headers=read_only), 403)
    finance = mine.headers(env, role=Role.finance)  # Finance Functions: no actions (seed 003)
    problem(await api.post(f"{API}/actions", json=good, headers=finance), 403)
    problem(await api.get(f"{API}/actions", headers=finance), 403)
    council = bearer(env.council_token(mine.authority_id))
    problem(await api.post(f"{API}/actions", json=good, headers=council), 403, "provider-only")
    problem(await api.get(f"{COUNCIL}/actions", headers=mine.headers(env)), 403, "council-only")
    assert await count_actions(env, mine.organisation_id) == before


async def test_thread_moves_refused_and_nothing_changed(env, api, two_councils):
    mine, _, _, config, other_config = two_councils
    headers, council = mine.headers(env), bearer(env.council_token(mine.authority_id))
    action = await new_action(
        api,
        headers,
        type_id=config["Payments Message"]["type_id"],
        related_kind="provider",
        title="T",
        text="x",
    )
    path = f"{API}/actions/{action['action_id']}"
    cpath = f"{COUNCIL}/actions/{action['action_id']}"
    before = await snapshot(env, action["action_id"])

    body = problem(
        await api.post(f"{path}/replies", json={"text": "x" * 7501}, headers=headers), 422, "too-long", "text"
    )
    assert "7,501" in body["detail"]
    problem(
        await api.post(f"{cpath}/comments", json={"text": ""}, headers=council), 422, "missing-field", "text"
    )
    # Closing and reassigning are the council's: not on the provider API, refused to a provider's token.
    assert (await api.post(f"{path}/close", json={"reason": "done"}, headers=headers)).status_code in (
        404,
        405,
    )
    problem(await api.post(f"{cpath}/close", json={"reason": "done"}, headers=headers), 403, "council-only")
    problem(
        await api.post(f"{cpath}/close", json={"reason": " "}, headers=council),
        422,
        "missing-field",
        "reason",
    )
    problem(
        await api.post(
            f"{cpath}/reassign", json={"team_id": other_config["team:Brokerage"]["team_id"]}, headers=council
        ),
        422,
        "unknown-team",
        "team_id",
    )
    problem(
        await api.post(f"{cpath}/reassign", json={"team_id": action["team_id"]}, headers=council),
        422,
        "same-team",
        "team_id",
    )
    # A key cannot ask for closure (a request is someone's word); the council asks nothing of itself.
    key = bearer(mine.token(env, kind=PrincipalKind.api_key))
    problem(await api.post(f"{path}/closure-request", json={}, headers=key), 403)
    problem(await api.post(f"{path}/closure-request", json={}, headers=council), 403, "provider-only")
    problem(
        await api.post(f"{path}/comments", json={"text": "x"}, headers=mine.headers(env, can_edit=False)), 403
    )
    problem(
        await api.post(
            f"{path}/attachments",
            files={"attachment": ("evil.exe", b"MZ\x90\x00" * 10, "application/octet-stream")},
            headers=headers,
        ),
        422,
        "attachment-refused",
        "attachment",
    )
    assert await snapshot(env, action["action_id"]) == before

    # Closed by the council: read-only for both sides.
    assert (
        await api.post(f"{cpath}/close", json={"reason": "Answered by phone"}, headers=council)
    ).status_code == 200
    closed = await snapshot(env, action["action_id"])
    for url, body, who in [
        (f"{path}/replies", {"text": "one more"}, headers),
        (f"{path}/comments", {"text": "one more"}, headers),
        (f"{path}/closure-request", {}, headers),
        (f"{cpath}/replies", {"text": "one more"}, council),
        (f"{cpath}/close", {"reason": "again"}, council),
        (f"{cpath}/reassign", {"team_id": config["team:Brokerage"]["team_id"]}, council),
    ]:
        problem(await api.post(url, json=body, headers=who), 409, "action-closed")
    assert await snapshot(env, action["action_id"]) == closed
    assert (await api.get(path, headers=headers)).json()["read_only"] is True


async def test_configuration_refusals(env, api, two_councils):
    mine, _, _, _, other_config = two_councils
    council = bearer(env.council_token(mine.authority_id))
    problem(
        await api.post(f"{COUNCIL}/teams", json={"name": "payments"}, headers=council), 409, "team-exists"
    )
    problem(
        await api.post(f"{COUNCIL}/teams", json={"name": "x" * 101}, headers=council), 422, "too-long", "name"
    )
    problem(
        await api.post(
            f"{COUNCIL}/action-types",
            json={
                "name": "Respite Query",
                "default_team_id": other_config["team:Payments"]["team_id"],
                "response_days": 5,
            },
            headers=council,
        ),
        422,
        "unknown-team",
        "default_team_id",
    )
    problem(
        await api.patch(
            f"{COUNCIL}/action-types/{other_config['Provider Note']['type_id']}",
            json={"active": False},
            headers=council,
        ),
        404,
    )
    problem(
        await api.patch(
            f"{COUNCIL}/teams/{other_config['team:Payments']['team_id']}",
            json={"active": False},
            headers=council,
        ),
        404,
    )
    problem(
        await api.post(
            f"{COUNCIL}/teams",
            json={"name": "Respite"},
            headers=bearer(env.council_token(mine.authority_id, can_edit=False)),
        ),
        403,
    )
    # The other authority's configuration is as it was.
    theirs = (
        await api.get(f"{COUNCIL}/action-types", headers=bearer(env.council_token(mine.authority_id)))
    ).json()
    assert {t["type_id"] for t in theirs}.isdisjoint(
        {t["type_id"] for k, t in other_config.items() if not k.startswith("team:")}
    )


async def test_a_file_is_read_only_through_its_own_action(env, api, two_councils):
    mine, _, _, config, _ = two_councils
    headers = mine.headers(env)
    first, second = [
        await new_action(
            api,
            headers,
            type_id=config["Provider Note"]["type_id"],
            related_kind="provider",
            title=t,
            text="x",
        )
        for t in ("With a file", "Without")
    ]
    answer = await api.post(
        f"{API}/actions/{first['action_id']}/attachments",
        files={"attachment": ("note.txt", b"plain words\n", "text/plain")},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    file_id = answer.json()["attachments"][0]["attachment_id"]
    assert (
        await api.get(f"{API}/actions/{first['action_id']}/attachments/{file_id}", headers=headers)
    ).content == b"plain words\n"
    # The same tenancy, another action: not found.
    problem(await api.get(f"{API}/actions/{second['action_id']}/attachments/{file_id}", headers=headers), 404)
    too_big = await api.post(
        f"{API}/actions/{second['action_id']}/attachments",
        files={"attachment": ("big.txt", b"x" * 2048, "text/plain")},
        headers=headers,
    )
    assert too_big.status_code == 200  # the default limit is MBs; the small limit is tested below
    async with messaging_api(env, attachments_max_bytes=1024) as small:
        before = await snapshot(env, second["action_id"])
        refused = await small.post(
            f"{API}/actions/{second['action_id']}/attachments",
            files={"attachment": ("big.txt", b"x" * 1025, "text/plain")},
            headers=headers,
        )
        problem(refused, 422, "attachment-too-large", "attachment")
        assert await snapshot(env, second["action_id"]) == before


async def count_files(env, organisation_id) -> int:
    async with messaging_conn(env) as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM messaging.attachment WHERE organisation_id = $1", organisation_id
            )
        )


async def test_a_new_action_with_a_refused_file_is_not_made(env, api, two_councils):
    """New Action with its files is all or nothing: a refused file is named with every other fault of the
    form, and neither the action nor its good files are kept."""
    _, neighbour, _, config, _ = two_councils
    headers = neighbour.headers(env)
    fields = {
        "type_id": config["Provider Note"]["type_id"],
        "related_kind": "provider",
        "title": "Our new rota",
        "text": "Attached.",
    }
    good = ("attachment", ("rota.txt", b"Monday: Ann\n", "text/plain"))
    evil = ("attachment", ("setup.exe", b"MZ\x90\x00" * 10, "application/octet-stream"))
    route = f"{API}/actions/with-attachments"
    before = (
        await count_actions(env, neighbour.organisation_id),
        await count_files(env, neighbour.organisation_id),
    )

    body = problem(
        await api.post(route, data=fields, files=[good, evil], headers=headers), 422, "attachment-refused"
    )
    assert [e["message"][: len("setup.exe: ")] for e in body["errors"]] == ["setup.exe: "], body
    # Every fault at once, in the rules' words: a blank title, a message left out, the refused file.
    blank = {**fields, "title": " "}
    del blank["text"]
    body = problem(await api.post(route, data=blank, files=[good, evil], headers=headers), 422)
    assert {e["field"] for e in body["errors"]} == {"title", "text", "attachment"}, body
    assert "Field required" not in str(body), body
    six = [("attachment", (f"n{i}.txt", b"words\n", "text/plain")) for i in range(6)]
    problem(
        await api.post(route, data=fields, files=six, headers=headers), 422, "too-many-files", "attachment"
    )
    async with messaging_api(env, attachments_max_bytes=1024) as small:
        big = ("attachment", ("big.txt", b"x" * 1025, "text/plain"))
        body = problem(await small.post(route, data=fields, files=[good, big], headers=headers), 422)
        assert body["errors"][0]["message"].startswith("big.txt: the file is too large"), body
    assert (
        await count_actions(env, neighbour.organisation_id),
        await count_files(env, neighbour.organisation_id),
    ) == before

    # The same form with good files only: one action, both files on its thread.
    second = ("attachment", ("notes.txt", b"Tuesday: Bo\n", "text/plain"))
    answer = await api.post(route, data=fields, files=[good, second], headers=headers)
    assert answer.status_code == 201, answer.text
    thread = answer.json()
    assert sorted(f["filename"] for f in thread["attachments"]) == ["notes.txt", "rota.txt"]
    assert thread["title"] == "Our new rota" and thread["posts"][0]["text"] == "Attached."
    assert await count_actions(env, neighbour.organisation_id) == before[0] + 1
    assert await count_files(env, neighbour.organisation_id) == before[1] + 2


async def test_half_a_surrogate_pair_is_refused_at_its_field_and_an_emoji_is_kept(env, api, two_councils):
    """JSON can carry half a UTF-16 pair ("\\ud800"), which PostgreSQL cannot store: a 422 naming the field
    and the code point, not a 500, and nothing made. A whole pair (an emoji) is a character and is kept.
    The bodies are json.dumps'd (it writes the escapes): httpx's json= cannot encode half a pair."""
    mine, _, _, config, _ = two_councils
    headers = {**mine.headers(env), "content-type": "application/json"}
    good = {
        "type_id": config["Foster Carer Query"]["type_id"],
        "related_kind": "provider",
        "title": "A query",
        "text": "A question",
    }
    before = await count_actions(env, mine.organisation_id)
    for field, value, point in (
        ("title", "A query \ud800", "U+D800"),
        ("text", "\udfffA question", "U+DFFF"),
    ):
        answer = await api.post(f"{API}/actions", content=json.dumps({**good, field: value}), headers=headers)
        body = problem(answer, 422, "invalid-field", field)
        assert body["detail"] == (
            f"{field}: contains half of a UTF-16 surrogate pair ({point}), which is not a character: remove it"
        ), body
    assert await count_actions(env, mine.organisation_id) == before

    made = await api.post(
        f"{API}/actions", content=json.dumps({**good, "title": "A query \U0001f600"}), headers=headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["title"] == "A query \U0001f600"
    assert (await snapshot(env, made.json()["action_id"])).action["title"] == "A query \U0001f600"


async def test_a_new_action_whose_title_is_not_utf8_is_refused_at_its_field(env, api, two_councils):
    """A multipart text field that is not UTF-8 is refused at its field (Starlette would read it as
    Latin-1 and the action would keep "Mileage Ã¿Ã¾", text nobody typed); nothing is made."""
    _, neighbour, _, config, _ = two_councils
    headers = neighbour.headers(env)
    before = await count_actions(env, neighbour.organisation_id)
    fields = {
        "type_id": (None, config["Provider Note"]["type_id"].encode()),
        "related_kind": (None, b"provider"),
        "text": (None, "Caf\u00e9 visits".encode()),
    }
    answer = await api.post(
        f"{API}/actions/with-attachments",
        files={**fields, "title": (None, b"Mileage \xff\xfe")},
        headers=headers,
    )
    body = problem(answer, 422, "not-text", "title")
    assert "not valid text (UTF-8)" in body["errors"][0]["message"], body
    assert await count_actions(env, neighbour.organisation_id) == before
    # The same form in UTF-8, accents and all, makes the action with the text as typed.
    made = await api.post(
        f"{API}/actions/with-attachments",
        files={**fields, "title": (None, "Mileage \u00e9".encode())},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["title"] == "Mileage \u00e9"
