"""Login and reset are limited per account and per address: 429 with Retry-After, before any hashing."""

from __future__ import annotations

from identity.main import DEFINITION as IDENTITY
from shared.service import create_api
from tests.support.identity import Journey, create_user, make_tenant
from tests.support.inprocess import serve


async def test_login_and_reset_limits_by_account_and_by_address(env):
    settings = env.settings(
        IDENTITY,
        login_limit_per_account=3,
        login_limit_per_address=5,
        reset_limit_per_account=2,
        reset_limit_per_address=3,
    )
    tenant = await make_tenant(env)
    async with serve(create_api(IDENTITY, settings)) as client:
        journey = Journey(client, env)
        here = {"x-forwarded-for": "203.0.113.7"}
        answers = [await journey.start(tenant, "target@provider.example", "guess", **here) for _ in range(4)]
        # The unknown account "locks" after 3 like a real one would, then the account limit answers.
        assert [a.status_code for a in answers] == [401, 401, 403, 429]
        limited = answers[-1]
        assert limited.headers["content-type"] == "application/problem+json"
        assert 1 <= int(limited.headers["retry-after"]) <= 900
        wait = -(-int(limited.headers["retry-after"]) // 60)
        assert limited.json()["detail"] in (
            f"Too many login attempts: try again in {wait} minute{'' if wait == 1 else 's'}.",
            f"Too many login attempts: try again in {limited.headers['retry-after']} seconds.",
        )

        # Another account from the same address: the address limit (5) is passed on its 6th attempt.
        other = [
            (await journey.start(tenant, f"u{i}@provider.example", "guess", **here)).status_code
            for i in range(2)
        ]
        assert other == [401, 429]
        # The same account from another address is still limited by account.
        elsewhere = await journey.start(
            tenant, "target@provider.example", "guess", **{"x-forwarded-for": "198.51.100.1"}
        )
        assert elsewhere.status_code == 429
        fresh = await journey.start(
            tenant, "fresh@provider.example", "guess", **{"x-forwarded-for": "198.51.100.1"}
        )
        assert fresh.status_code == 401

        form = {"authority": tenant.slug, "name": "N", "organisation_name": "O", "phone": "01234 567890"}
        resets = [
            (
                await journey.post(
                    "/password-reset-requests", {**form, "email": "r@provider.example"}, **here
                )
            ).status_code
            for _ in range(3)
        ]
        assert resets == [202, 202, 429]
        # The address has made 3 requests: another e-mail from it is refused, from elsewhere accepted.
        by_address = await journey.post(
            "/password-reset-requests", {**form, "email": "s@provider.example"}, **here
        )
        assert by_address.status_code == 429 and by_address.headers["retry-after"]
        away = {"x-forwarded-for": "198.51.100.2"}
        elsewhere = await journey.post(
            "/password-reset-requests", {**form, "email": "s@provider.example"}, **away
        )
        assert elsewhere.status_code == 202


async def test_a_person_who_logs_in_often_is_not_limited_by_their_own_logins(env):
    """The account's limit slows guessing: a right password forgets the attempts before it, so that
    logging in more often than the limit (several devices, lost sessions) is never refused. Guesses still
    are, and the address's limit counts every attempt."""
    # The address's limit out of the way: every test of the run logs in from the same address.
    settings = env.settings(IDENTITY, login_limit_per_account=3, login_limit_per_address=1_000_000)
    tenant = await make_tenant(env)
    async with serve(create_api(IDENTITY, settings)) as client:
        journey = Journey(client, env)
        user, temporary = await create_user(client, env, tenant)
        await journey.first_login(tenant, user["email"], temporary)
        for _ in range(4):  # one more than the limit, each with the right password
            await journey.login(tenant, user["email"])
        # Two guesses, then the right password: still let in (the guesses were under the limit).
        assert [(await journey.start(tenant, user["email"], "guess")).status_code for _ in range(2)] == [
            401,
            401,
        ]
        await journey.login(tenant, user["email"])
        # Four guesses in a row: the fourth is over the limit, whatever the password.
        guesses = [(await journey.start(tenant, user["email"], "guess")).status_code for _ in range(4)]
        assert guesses[-1] == 429, guesses
