"""The kit's tables are opt-in platform migrations: a service that lists them gets them, in its own schema,
in name order before its own; one that does not, does not."""

from __future__ import annotations

from shared.migrations import ATTACHMENTS, JOBS, OUTBOX_INBOX
from shared.service import ServiceDefinition, service_migrations
from shared.settings import ServiceSettings


def definition(**platform) -> ServiceDefinition:
    return ServiceDefinition(name="claims", title="Claims", settings_cls=ServiceSettings, **platform)


def test_a_service_that_lists_them_gets_them_in_its_own_schema():
    migrations = service_migrations(definition(platform_migrations=(JOBS, OUTBOX_INBOX, ATTACHMENTS)))
    assert [m.name for m in migrations] == [
        "platform/0001_outbox_inbox.sql",
        "platform/0003_attachments.sql",
        "platform/0004_jobs.sql",
    ]
    attachments, jobs = migrations[1].sql, migrations[2].sql
    assert 'CREATE TABLE "claims".attachment (' in attachments
    assert 'REFERENCES "claims".attachment ON DELETE CASCADE' in attachments
    assert 'CREATE TABLE "claims".job (' in jobs
    assert "{schema}" not in attachments + jobs


def test_a_service_that_does_not_list_them_does_not_get_them():
    assert [m.name for m in service_migrations(definition())] == ["platform/0001_outbox_inbox.sql"]
