"""Settings: a missing or malformed setting stops the process with one line naming it; development
secrets are refused elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from identity.config import Settings as IdentitySettings
from shared.settings import Environment


def start(module: str, command: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("IDENTITY_", "ACTUALS_", "GATEWAY_"))}
    return subprocess.run(
        [sys.executable, "-m", module, *([command] if command else [])],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_malformed_setting_refuses_to_start_naming_it():
    result = start("actuals", "api", ACTUALS_HTTP_PORT="eighty")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "ACTUALS_HTTP_PORT" in lines[0]


def test_malformed_url_setting_refuses_to_start():
    result = start("actuals", "api", ACTUALS_OTLP_ENDPOINT="http://127.0.0.1:43v1/traces")
    assert result.returncode == 2
    assert "ACTUALS_OTLP_ENDPOINT" in result.stderr


def test_missing_setting_outside_development_refuses_to_start_naming_it():
    result = start("actuals", "worker", ACTUALS_ENVIRONMENT="production")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "database_url is required" in result.stderr


def test_gateway_refuses_a_bad_setting_too():
    result = start("gateway", "", GATEWAY_UPSTREAM_READ_TIMEOUT="-3")
    assert result.returncode == 2
    assert "GATEWAY_UPSTREAM_READ_TIMEOUT" in result.stderr


def test_development_signing_key_is_refused_in_production():
    with pytest.raises(ValidationError, match="signing_key is still the development default"):
        IdentitySettings(
            environment=Environment.production,
            database_url="postgresql://identity@db/portal",
            amqp_url="amqp://u:p@mq/",
        )


def test_secrets_are_not_shown_in_settings_repr():
    settings = IdentitySettings(database_url="postgresql://identity:hunter2-secret@db/portal")
    assert "hunter2-secret" not in repr(settings)
    assert "BEGIN PRIVATE KEY" not in repr(settings)
