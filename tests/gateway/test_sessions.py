"""The gateway's session cookie and its cache of exchanged tokens."""

from __future__ import annotations

import time

import pytest
from fastapi import Response

from gateway.config import Settings
from gateway.sessions import ExpiringCache, TokenCache, cache_key, clear_session_cookie, set_session_cookie


def settings(**kw) -> Settings:
    return Settings(environment="development", **kw)


def test_the_cookie_is_secure_httponly_samesite_by_default():
    response = Response()
    set_session_cookie(response, settings(), "ps_abc")
    header = response.headers["set-cookie"]
    assert header.startswith("__Host-portal_session=ps_abc;")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert attribute in header
    assert "Domain" not in header and "Max-Age" not in header  # a browser-session cookie


def test_plain_http_locally_drops_secure_and_the_host_prefix():
    response = Response()
    set_session_cookie(response, settings(cookie_secure=False), "ps_abc")
    header = response.headers["set-cookie"]
    assert header.startswith("portal_session=ps_abc;") and "Secure" not in header
    cleared = Response()
    clear_session_cookie(cleared, settings(cookie_secure=False))
    assert (
        'portal_session="";' in cleared.headers["set-cookie"] or "Max-Age=0" in cleared.headers["set-cookie"]
    )


HTTPS = "https://portal.council.example"


def test_the_identity_secret_is_required_in_production_and_never_the_development_one():
    with pytest.raises(ValueError, match="identity_secret"):
        Settings(environment="production", public_url=HTTPS, csrf_secret="c")
    with pytest.raises(ValueError, match="identity_secret"):
        Settings(
            environment="production",
            public_url=HTTPS,
            csrf_secret="c",
            identity_secret="development-only-gateway-secret",
        )
    assert Settings(
        environment="production", public_url=HTTPS, csrf_secret="c", identity_secret="s3cr3t-from-vault"
    ).identity_secret


def test_cache_keys_never_contain_the_credential():
    key = cache_key("session", "ps_secret_value")
    assert "ps_secret_value" not in key and key.startswith("session:")
    assert cache_key("key", "x") != cache_key("session", "x")


def test_cached_tokens_expire_and_can_be_evicted():
    cache = TokenCache(ttl_seconds=0.05, max_entries=2)
    cache.put("a", "token-a", expires_in=120)
    assert cache.get("a") == "token-a"
    cache.evict("a")
    assert cache.get("a") is None
    cache.put("b", "token-b", expires_in=120)
    time.sleep(0.06)
    assert cache.get("b") is None


def test_a_token_about_to_expire_is_not_cached_and_the_size_is_bounded():
    cache = TokenCache(ttl_seconds=30, max_entries=2)
    cache.put("late", "t", expires_in=4)
    assert cache.get("late") is None
    for name in ("x", "y", "z"):
        cache.put(name, name, expires_in=120)
    assert cache.get("x") is None and cache.get("z") == "z"


def test_no_cache_when_the_time_is_zero():
    cache = TokenCache(ttl_seconds=0, max_entries=10)
    cache.put("a", "t", expires_in=120)
    assert cache.get("a") is None


def test_an_uncapped_cache_keeps_a_value_until_its_own_expiry_and_pop_hands_it_back():
    cache: ExpiringCache[str] = ExpiringCache(ttl_seconds=None, max_entries=10)
    cache.put("bearer", "t", expires_in=5.06)  # 5 s margin: kept for 0.06 s
    assert cache.get("bearer") == "t"
    time.sleep(0.08)
    assert cache.get("bearer") is None
    cache.put("a", "t", expires_in=3600)
    assert cache.pop("a") == "t" and cache.pop("a") is None
