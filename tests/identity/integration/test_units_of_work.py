"""identity's units of work: a refusal (a domain error) keeps what the unit wrote before it - a failure
counted, an account locked, the audit entry saying so - while any other exception rolls it all back; and
the refusals are the shared domain errors, with identity's stable problem types."""

from __future__ import annotations

import uuid

import pytest

from identity import errors
from identity.domain.rules import RuleFailure
from identity.handlers.common import keeping_refusals
from shared import db
from shared.bus import Outbox
from shared.errors import PROBLEM_BASE, DomainError, Forbidden
from shared.uow import Actor, Work
from tests.support.identity import make_tenant

ACTOR = Actor(address="203.0.113.77", request_id="req-keeping-refusals")


@pytest.fixture
async def work(env):
    pool = await db.create_pool(env.dsn("identity"))
    try:
        yield Work(pool, Outbox("identity"))
    finally:
        await pool.close()


async def actions(work: Work, authority_id: uuid.UUID) -> list[str]:
    async with work.read() as conn:
        rows = await conn.fetch(
            "SELECT action FROM identity.audit_event WHERE authority_id = $1 ORDER BY audit_id", authority_id
        )
    return [r["action"] for r in rows]


async def test_a_refusal_keeps_what_came_before_it_and_still_reaches_the_caller(env, work):
    tenant = await make_tenant(env)
    with pytest.raises(Forbidden) as refused:
        async with keeping_refusals(work, ACTOR) as uow:
            await uow.audit("login_refused", authority_id=tenant.authority_id, outcome="failure")
            raise errors.account_locked(_Council())
    assert refused.value.code == "account-locked"
    assert await actions(work, tenant.authority_id) == ["login_refused"]


async def test_any_other_failure_rolls_the_unit_back(env, work):
    tenant = await make_tenant(env)
    with pytest.raises(RuntimeError):
        async with keeping_refusals(work, ACTOR) as uow:
            await uow.audit("half_done", authority_id=tenant.authority_id)
            raise RuntimeError("the database went away")
    assert await actions(work, tenant.authority_id) == []


class _Council:
    name = "Telford & Wrekin Council"
    support_email: str | None = None
    support_phone: str | None = "01952 380000"


@pytest.mark.parametrize(
    ("error", "status", "code", "headers"),
    [
        (errors.invalid_credentials(), 401, "invalid-credentials", None),
        (errors.account_locked(_Council()), 403, "account-locked", None),
        (errors.session_ended(), 401, "session-ended", {"WWW-Authenticate": "Bearer"}),
        (errors.rate_limited(7, "login"), 429, "rate-limited", {"Retry-After": "7"}),
        (errors.wrong_step("a", "b"), 409, "wrong-step", None),
        (errors.bad_scope("no such contract"), 404, "bad-scope", None),
        (errors.not_found("user"), 404, None, None),
    ],
)
def test_identitys_refusals_are_domain_errors_with_their_stable_types(error, status, code, headers):
    assert isinstance(error, DomainError)
    assert (error.status, error.code, error.headers()) == (status, code, headers)
    assert error.type == (PROBLEM_BASE + code if code else "about:blank")


def test_the_lock_message_names_whom_to_ask_and_rule_failures_name_each_rule():
    assert (
        errors.account_locked(_Council()).detail
        == "Contact Telford & Wrekin Council at 01952 380000 to unlock it."
    )
    failed = errors.rules_failed("new_code", "security code", [RuleFailure("six_digits", "must be 6 digits")])
    assert failed.errors() == [
        {"source": "body", "field": "new_code", "rule": "six_digits", "message": "must be 6 digits"}
    ]
