"""Which calls go through a lane: what a service marks `x-portal-lane` in its OpenAPI document, read by
the gateway; and identity marks every public operation that hashes a password, and no other."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI

from gateway.lanes import Lane, LaneFull, LaneMap, LaneSize
from identity.api import ROUTERS
from shared.lanes import EXTENSION, HASHING

# identity's public operations that hash or verify a password (argon2id: tens of ms of CPU each). Its
# internal login calls say so where the gateway makes them (gateway/identity_client.py).
IDENTITY_HASHING = {
    ("POST", "/api/v1/identity/me/password"),
    ("POST", "/api/v1/identity/me/security-code"),
    ("POST", "/council/v1/identity/users"),
    ("POST", "/council/v1/identity/users/{user_id}/password-reset"),
    ("POST", "/council/v1/identity/contact-requests/{request_id}/approve"),
}


def identity_document() -> dict:
    app = FastAPI()
    for router in ROUTERS:
        app.include_router(router)
    return app.openapi()


def test_identity_marks_exactly_the_operations_that_hash_a_password():
    marked = {
        (method.upper(), path)
        for path, item in identity_document()["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and operation.get(EXTENSION) == HASHING
    }
    assert marked == IDENTITY_HASHING


def test_the_map_matches_a_marked_operation_by_method_and_path_with_any_parameter():
    lanes = LaneMap.from_openapi(identity_document())
    assert lanes.lane_of("POST", "/council/v1/identity/users/7f0c-11/password-reset") == HASHING
    assert lanes.lane_of("POST", "/council/v1/identity/contact-requests/abc/approve") == HASHING
    assert lanes.lane_of("POST", "/api/v1/identity/me/password") == HASHING
    for method, path in [
        ("GET", "/council/v1/identity/users"),  # the same path, another method
        ("POST", "/council/v1/identity/users/7f0c/extra/password-reset"),  # a parameter is one segment
        ("POST", "/api/v1/identity/me/password/extra"),
        ("POST", "/api/v1/identity/me/passwordX"),
        ("GET", "/api/v1/identity/organisation"),
    ]:
        assert lanes.lane_of(method, path) is None, (method, path)


def test_a_document_without_marks_or_with_odd_entries_gives_no_lane():
    assert not LaneMap.from_openapi({})
    odd = {"paths": {"/x": {"post": {EXTENSION: ""}, "parameters": []}, "/y": "not an object"}}
    lanes = LaneMap.from_openapi(odd)
    assert lanes.lane_of("POST", "/x") is None and not lanes
    literal = LaneMap.from_openapi({"paths": {"/a.b/{id}": {"post": {EXTENSION: "slow"}}}})
    assert literal.lane_of("POST", "/a.b/1") == "slow"
    assert literal.lane_of("POST", "/aXb/1") is None, "the path's dots are literal"


async def test_a_lane_lets_its_places_in_and_refuses_after_the_wait():
    lane = Lane("identity.hashing", LaneSize(places=1, wait_seconds=0.05))
    async with lane.place():
        with pytest.raises(LaneFull) as full:
            async with lane.place():
                pass
    assert full.value.retry_after == 1
    async with asyncio.timeout(1), lane.place():  # free again
        pass
