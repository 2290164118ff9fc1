"""The mails an action's changes queue (messaging.handlers.notices), in the change's own transaction: a
new action to its team's mailbox, the council's reply to the provider's users (never the author), a
comment to no one, the overdue reminder once (non-essential), an action born of a dispute once however
often the event arrives; and a team's mailbox with a line break refused by the council API."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import asyncpg
import pytest

from messaging.handlers import notices
from messaging.handlers.overdue import publish_overdue
from messaging.store import actions
from shared import db
from shared.auth import Role
from shared.bus import Outbox
from shared.uow import Work
from tests.messaging.integration.test_actions_from_events import consuming, deliver, opened
from tests.messaging.integration.test_overdue import DAY, noon
from tests.messaging.notification_support import apply_user, user_state
from tests.messaging.support import (
    API,
    COUNCIL,
    add_tenant,
    bearer,
    configure,
    messaging_api,
    messaging_conn,
    new_action,
)
from tests.payments.finance_events import six_events


async def mails(env, action_id) -> list[dict]:
    async with messaging_conn(env) as conn:
        rows = await conn.fetch(
            "SELECT idempotency_key, recipient_address, recipient_user_id, subject, body, kind"
            " FROM messaging.notification WHERE idempotency_key LIKE $1 ORDER BY created_at, recipient_address",
            f"action:{action_id}:%",
        )
    return [dict(r) for r in rows]


async def set_mailbox(api, env, authority_id, team_id, mailbox) -> dict:
    answer = await api.patch(
        f"{COUNCIL}/teams/{team_id}",
        json={"mailbox": mailbox},
        headers=bearer(env.council_token(authority_id)),
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_a_new_action_queues_one_mail_to_its_teams_mailbox_and_a_comment_none(env):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        slug = f"mail-{authority_id.hex[:8]}"  # the link's slug, as the authority projection keeps it
        tenant = await add_tenant(conn, authority_id=authority_id, label="mail-new", slug=slug)
    async with messaging_api(env) as api:
        config = await configure(api, env, authority_id)
        team = config["team:Childrens Services Finance"]
        box = f"csf-{uuid.uuid4().hex[:6]}@council.example"
        assert (await set_mailbox(api, env, authority_id, team["team_id"], box))["mailbox"] == box
        action = await new_action(
            api,
            tenant.headers(env),
            type_id=config["Foster Carer Query"]["type_id"],
            related_kind="client",
            related_id=tenant.client_id,
            title=f"About {tenant.client_name}",
            text=f"{tenant.client_name} needs a respite weekend",
        )
        [mail] = await mails(env, action["action_id"])
        assert mail["recipient_address"] == box and mail["kind"] == "essential"
        assert mail["idempotency_key"].startswith(f"action:{action['action_id']}:opened:")
        assert "Childrens Services Finance" in mail["subject"] and tenant.organisation_name in mail["body"]
        # council staff have no actions pages: their mail names the action in the council API
        assert (
            f"GET http://localhost:8000/council/v1/messaging/actions/{action['action_id']}\n" in mail["body"]
        )
        assert f"/{slug}/actions/" not in mail["body"]
        # No client, no title, no text in a mail: it leaves the portal's access control.
        assert tenant.client_name not in mail["subject"] + mail["body"]

        comment = await api.post(
            f"{API}/actions/{action['action_id']}/comments",
            json={"text": "Also"},
            headers=tenant.headers(env),
        )
        assert comment.status_code == 200, comment.text
        assert len(await mails(env, action["action_id"])) == 1  # a comment does not pass the turn


async def test_a_council_reply_queues_mails_to_the_providers_users_and_not_to_its_author(env):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="mail-reply")
        everyone = user_state(
            authority_id=authority_id,
            organisation_id=tenant.organisation_id,
            email=f"all-{uuid.uuid4().hex[:6]}@p.example",
        )
        contract = user_state(
            authority_id=authority_id,
            organisation_id=tenant.organisation_id,
            email=f"contract-{uuid.uuid4().hex[:6]}@p.example",
            scope=("contract", tenant.contract_id),
        )
        elsewhere = user_state(
            authority_id=authority_id,
            organisation_id=tenant.organisation_id,
            email=f"other-{uuid.uuid4().hex[:6]}@p.example",
            scope=("contract", uuid.uuid4()),
        )
        for user in (everyone, contract, elsewhere):
            await apply_user(conn, user)
    async with messaging_api(env) as api:
        config = await configure(api, env, authority_id)
        action = await new_action(
            api,
            tenant.headers(env, subject=str(everyone.user_id)),
            type_id=config["Foster Carer Query"]["type_id"],
            related_kind="service",
            related_id=tenant.service_id,
            title="Respite",
            text="Can we have a respite weekend?",
        )
        assert await mails(env, action["action_id"]) == []  # the team has no mailbox: told nothing
        council_author = str(uuid.uuid4())
        reply = await api.post(
            f"{COUNCIL}/actions/{action['action_id']}/replies",
            json={"text": "Yes, from Friday"},
            headers=bearer(env.token(authority_id=authority_id, role=Role.council, subject=council_author)),
        )
        assert reply.status_code == 200, reply.text
        sent = await mails(env, action["action_id"])
        assert sorted(m["recipient_address"] for m in sent) == sorted([everyone.email, contract.email])
        assert all(str(m["recipient_user_id"]) != council_author for m in sent)
        assert {m["idempotency_key"].split(":")[2] for m in sent} == {"replied"}
        assert all("Reply on action" in m["subject"] and "Yes, from Friday" not in m["body"] for m in sent)
        # the provider's users open it in the portal
        assert all(
            f"/actions/{action['action_id']}\n" in m["body"] and "/council/v1/" not in m["body"] for m in sent
        )

    # The same handler on a post written by one of the provider's users, passed to the provider (as a
    # redelivery or a retried request would run it): the author is not told of their own post, and the
    # others' rows are there once already.
    async with messaging_conn(env) as conn:
        scope = actions.authority_actions(authority_id)
        row = await actions.get(conn, scope=scope, action_id=uuid.UUID(action["action_id"]))
        assert row is not None
        post = await actions.last_post(conn, action_id=row.action_id)
        async with conn.transaction():
            again = await notices.action_changed(conn, row, post, "replied")
        by_provider = post.model_copy(update={"post_id": uuid.uuid4(), "author": str(everyone.user_id)})
        async with conn.transaction():
            added = await notices.action_changed(conn, row, by_provider, "replied")
    assert again == 0
    assert added == 1  # the contract's user only
    assert len(await mails(env, action["action_id"])) == 3


async def test_the_overdue_sweep_queues_one_non_essential_reminder_once(env):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="mail-overdue")
    async with messaging_api(env, today=DAY) as api:
        config = await configure(api, env, authority_id)
        box = f"csf-{uuid.uuid4().hex[:6]}@council.example"
        await set_mailbox(api, env, authority_id, config["team:Childrens Services Finance"]["team_id"], box)
        late = await new_action(
            api,
            tenant.headers(env),
            type_id=config["Foster Carer Query"]["type_id"],
            related_kind="provider",
            title="Late",
            text="x",
        )
    due = date.fromisoformat(late["due_date"])
    pool = await db.create_pool(env.dsn("messaging"), min_size=1, max_size=2)
    try:
        work = Work(pool, Outbox("messaging"))
        await publish_overdue(work, noon(due + timedelta(days=1)))
        await publish_overdue(work, noon(due + timedelta(days=2)))
    finally:
        await pool.close()
    reminders = [m for m in await mails(env, late["action_id"]) if ":overdue:" in m["idempotency_key"]]
    assert [(m["recipient_address"], m["kind"]) for m in reminders] == [(box, "non_essential")]
    assert reminders[0]["idempotency_key"].endswith(f":overdue:{due.isoformat()}/{box}")
    assert "is overdue" in reminders[0]["subject"]


async def test_an_action_born_of_a_dispute_delivered_three_times_queues_one_mail(env):
    authority_id = uuid.uuid4()
    async with messaging_api(env) as api:
        config = await configure(api, env, authority_id)
        box = f"payments-{uuid.uuid4().hex[:6]}@council.example"
        await set_mailbox(api, env, authority_id, config["team:Payments"]["team_id"], box)
    disputed = six_events(authority_id)["disputed"]
    async with consuming(env):
        await deliver(env, disputed)  # the message, a redelivery of it, and the state under a new id
    [action] = await opened(env, authority_id, 1)
    [mail] = await mails(env, action["action_id"])
    assert mail["recipient_address"] == box and mail["idempotency_key"].split(":")[2] == "opened"
    assert "Payments Message" in mail["body"] and "Lisa" not in mail["subject"] + mail["body"]
    # a team's mail names the action in the council API, which needs no authority slug
    assert f"\nGET http://localhost:8000/council/v1/messaging/actions/{action['action_id']}\n" in mail["body"]


async def test_a_mailbox_with_a_line_break_is_refused_and_nothing_changes(env):
    authority_id = uuid.uuid4()
    council = bearer(env.council_token(authority_id))
    async with messaging_api(env) as api:
        config = await configure(api, env, authority_id)
        team = config["team:Brokerage"]
        await set_mailbox(api, env, authority_id, team["team_id"], "brokerage@council.example")
        body = {"mailbox": "brokerage@council.example\r\nBcc: all@evil.example"}
        refused = await api.patch(f"{COUNCIL}/teams/{team['team_id']}", json=body, headers=council)
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["type"].endswith(":invalid-mailbox")
        assert [e["field"] for e in problem["errors"]] == ["mailbox"]
        assert problem["detail"].startswith("mailbox: the address ")
        assert problem["detail"].endswith("contains a line break (CR or LF)")
        added = await api.post(
            f"{COUNCIL}/teams",
            json={"name": "Night desk", "mailbox": "night@council.example\nBcc: x@y.z"},
            headers=council,
        )
        assert added.status_code == 422 and added.json()["type"].endswith(":invalid-mailbox")
        not_one = await api.post(
            f"{COUNCIL}/teams",
            json={"name": "Night desk", "mailbox": "a@b.example, c@d.example"},
            headers=council,
        )
        assert not_one.status_code == 422 and "is not one e-mail address" in not_one.json()["detail"]
        teams = (await api.get(f"{COUNCIL}/teams", headers=council)).json()
        assert {t["name"]: t["mailbox"] for t in teams}["Brokerage"] == "brokerage@council.example"
        assert "Night desk" not in {t["name"] for t in teams}
        made = await api.post(
            f"{COUNCIL}/teams",
            json={"name": "Night desk", "mailbox": " night@council.example "},
            headers=council,
        )
        assert made.status_code == 201 and made.json()["mailbox"] == "night@council.example"
        cleared = await set_mailbox(api, env, authority_id, team["team_id"], None)
        assert cleared["mailbox"] is None
        renamed = await api.patch(
            f"{COUNCIL}/teams/{team['team_id']}", json={"active": True}, headers=council
        )
        assert renamed.json()["mailbox"] is None  # absent: kept as it was
    async with messaging_conn(env) as conn:
        # The table refuses it too, whoever writes.
        with pytest.raises(asyncpg.CheckViolationError, match="team_mailbox_check"):
            await conn.execute(
                "UPDATE messaging.team SET mailbox = $2 WHERE team_id = $1",
                uuid.UUID(team["team_id"]),
                "a@b.c\rX",
            )


async def test_a_reassignment_tells_the_new_team_only_when_it_is_their_turn_and_overdue_tells_the_provider(
    env,
):
    authority_id = uuid.uuid4()
    async with messaging_conn(env) as conn:
        tenant = await add_tenant(conn, authority_id=authority_id, label="mail-move")
        user = user_state(
            authority_id=authority_id,
            organisation_id=tenant.organisation_id,
            email=f"carer-{uuid.uuid4().hex[:6]}@p.example",
        )
        await apply_user(conn, user)
    council = bearer(env.council_token(authority_id))
    async with messaging_api(env, today=DAY) as api:
        config = await configure(api, env, authority_id)
        boxes = {}
        for name in ("Brokerage", "Payments"):
            boxes[name] = f"{name.lower()}-{uuid.uuid4().hex[:6]}@council.example"
            await set_mailbox(api, env, authority_id, config[f"team:{name}"]["team_id"], boxes[name])

        def to(name):
            return {"team_id": config[f"team:{name}"]["team_id"]}

        waiting = await new_action(
            api,
            tenant.headers(env),
            type_id=config["Foster Carer Query"]["type_id"],
            team_id=config["team:Brokerage"]["team_id"],
            related_kind="provider",
            title="Moved",
            text="x",
        )
        moved = await api.post(
            f"{COUNCIL}/actions/{waiting['action_id']}/reassign", json=to("Payments"), headers=council
        )
        assert moved.status_code == 200, moved.text
        assert [
            (m["recipient_address"], m["idempotency_key"].split(":")[2])
            for m in await mails(env, waiting["action_id"])
        ] == [
            (boxes["Brokerage"], "opened"),
            (boxes["Payments"], "reassigned"),
        ]
        answered = await api.post(
            f"{COUNCIL}/actions/{waiting['action_id']}/replies", json={"text": "Done?"}, headers=council
        )
        assert answered.status_code == 200, answered.text
        back = await api.post(
            f"{COUNCIL}/actions/{waiting['action_id']}/reassign", json=to("Brokerage"), headers=council
        )
        assert back.status_code == 200, back.text
        sent = await mails(env, waiting["action_id"])
        assert [m["idempotency_key"].split(":")[2] for m in sent] == ["opened", "reassigned", "replied"]
        assert sent[-1]["recipient_address"] == user.email  # it waits for the provider: no team told
    due = date.fromisoformat(waiting["due_date"])
    pool = await db.create_pool(env.dsn("messaging"), min_size=1, max_size=2)
    try:
        await publish_overdue(Work(pool, Outbox("messaging")), noon(due + timedelta(days=1)))
    finally:
        await pool.close()
    [reminder] = [m for m in await mails(env, waiting["action_id"]) if ":overdue:" in m["idempotency_key"]]
    assert (reminder["recipient_address"], reminder["kind"]) == (user.email, "non_essential")
    assert tenant.organisation_name in reminder["body"]
