"""A verified token is remembered until it expires: the signature is checked once per token, a forged or
expired one is still refused, and one person's token never answers for another's."""

from __future__ import annotations

import time
import uuid

import pytest

from shared.auth import Principal, PrincipalKind, Role, ScopeType, SigningKey, TokenVerifier, jwks_document
from shared.problems import Problem

KEY = SigningKey.generate()


def token(subject: str, *, ttl: int = 120) -> str:
    principal = Principal(
        subject=subject,
        kind=PrincipalKind.user,
        authority_id=uuid.uuid4(),
        organisation_id=None,
        role=Role.full,
        can_edit=False,
        scope_type=ScopeType.authority,
        scope_id=None,
    )
    return KEY.sign(principal, issuer="portal-identity", audience="portal-services", ttl_seconds=ttl)


def verifier() -> tuple[TokenVerifier, list[str]]:
    checked: list[str] = []
    real = TokenVerifier(issuer="portal-identity", audience="portal-services", jwks_json=jwks_document([KEY]))
    full = real._verify

    async def counting(raw: str):
        checked.append(raw)
        return await full(raw)

    real._verify = counting  # type: ignore[method-assign]
    return real, checked


async def test_a_token_is_checked_once_and_each_token_answers_for_its_own_subject():
    tokens, checked = verifier()
    alice, bob = token("alice"), token("bob")
    assert (await tokens.verify(alice)).subject == "alice"
    assert (await tokens.verify(alice)).subject == "alice"
    assert (await tokens.verify(bob)).subject == "bob"
    assert checked == [alice, bob]


async def test_a_forged_twin_of_a_remembered_token_and_an_expired_token_are_refused():
    tokens, _ = verifier()
    good = token("alice")
    await tokens.verify(good)
    head, payload, signature = good.split(".")
    with pytest.raises(Problem):
        await tokens.verify(f"{head}.{payload}.{'A' * len(signature)}")
    with pytest.raises(Problem):
        await tokens.verify(token("alice", ttl=-60))


async def test_a_remembered_token_is_checked_again_once_it_has_expired():
    tokens, checked = verifier()
    # exp is whole seconds: a 1 s token made late in a second had expired a few ms later (a flaky run on a
    # slow machine). With 2 s it lives at least 1 s, and 2.1 s later it has surely expired.
    short = token("alice", ttl=2)
    await tokens.verify(short)
    await tokens.verify(short)
    assert len(checked) == 1
    time.sleep(2.1)
    await tokens.verify(short)  # still within PyJWT's 5 s leeway, but not served from memory
    assert len(checked) == 2
