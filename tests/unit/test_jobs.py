"""Jobs without a database: the reason a user may read, the per cent shown, what the public model leaves
out, the moves allowed from each state, and the tenancy filter every read takes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from shared.auth import Principal, PrincipalKind, Role, ScopeType
from shared.errors import Forbidden
from shared.jobs import MOVES, REASON_LIMIT, Job, JobState, PublicJob, safe_reason
from shared.tenancy import Tenancy

AUTHORITY, ORGANISATION = uuid.uuid4(), uuid.uuid4()
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def job(**changes) -> Job:
    values = {
        "job_id": uuid.uuid4(),
        "authority_id": AUTHORITY,
        "organisation_id": ORGANISATION,
        "kind": "actuals.import",
        "state": JobState.running,
        "done": 3,
        "total": 8,
        "failure_reason": None,
        "created_by": "user-1",
        "created_at": NOW,
        "started_at": NOW,
        "finished_at": None,
        "updated_at": NOW,
    }
    return Job(**{**values, **changes})


def principal(role: Role, organisation_id: uuid.UUID | None) -> Principal:
    return Principal(
        subject="u",
        kind=PrincipalKind.user,
        authority_id=AUTHORITY,
        organisation_id=organisation_id,
        role=role,
        can_edit=True,
        scope_type=ScopeType.authority if role is Role.council else ScopeType.organisation,
        scope_id=organisation_id,
    )


def test_a_reason_keeps_its_first_line_only():
    trace = "the file could not be read\nTraceback (most recent call last):\n  File secret.py, line 1"
    assert safe_reason(trace) == "the file could not be read"
    assert safe_reason("  row 12: the date is not a date  ") == "row 12: the date is not a date"
    assert safe_reason("bell\x07 and\ttab") == "bell and tab"
    assert safe_reason("\n \n") == "the job failed"


def test_a_long_reason_is_cut_to_the_limit():
    cut = safe_reason("x" * 1000)
    assert len(cut) == REASON_LIMIT and cut.endswith("…")
    assert safe_reason("y" * REASON_LIMIT) == "y" * REASON_LIMIT


def test_per_cent_done_is_whole_and_only_with_a_total():
    assert job(done=3, total=8).public().percent == 37
    assert job(done=0, total=None).public().percent is None
    assert job(done=0, total=0).public().percent == 100
    assert job(done=8, total=8).public().percent == 100


def test_the_public_model_leaves_out_the_tenant_ids():
    public = job().public()
    assert isinstance(public, PublicJob)
    body = public.model_dump(mode="json")
    assert "authority_id" not in body and "organisation_id" not in body
    assert body["state"] == "running" and body["percent"] == 37 and body["created_by"] == "user-1"


def test_records_are_frozen():
    record = job()
    with pytest.raises(ValueError, match="frozen"):
        record.state = JobState.failed  # type: ignore[misc]


def test_finished_jobs_cannot_move_again():
    finished = {JobState.succeeded, JobState.failed}
    assert all(not (allowed & finished) for allowed in MOVES.values())
    assert MOVES["succeed"] == {JobState.running}
    assert MOVES["fail"] == {JobState.queued, JobState.running}


def test_a_council_tenancy_is_the_whole_authority():
    tenancy = Tenancy.of(principal(Role.council, None))
    assert tenancy == Tenancy(AUTHORITY, None)
    assert tenancy.where(first_param=3) == ("authority_id = $3", [AUTHORITY])


def test_a_provider_tenancy_is_its_organisation():
    tenancy = Tenancy.of(principal(Role.finance, ORGANISATION))
    assert tenancy.where() == ("authority_id = $1 AND organisation_id = $2", [AUTHORITY, ORGANISATION])


def test_a_provider_login_without_an_organisation_has_no_tenancy():
    with pytest.raises(Forbidden) as refused:
        Tenancy.of(principal(Role.full, None))
    assert refused.value.status == 403
