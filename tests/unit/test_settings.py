"""Settings: a missing or malformed setting stops the process with one line naming it; development
secrets are refused elsewhere."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from actuals.config import Settings as ActualsSettings
from gateway.config import DEV_IDENTITY_SECRET
from gateway.config import Settings as GatewaySettings
from identity.config import DEV_CODE_KEY, DEV_DELIVERY_KEY, DEV_GATEWAY_SECRET, DEV_SIGNING_KEY
from identity.config import Settings as IdentitySettings
from messaging.config import Settings as MessagingSettings
from shared.auth import SigningKey
from shared.settings import CommonSettings, Environment, load_settings
from tests.support.inprocess import free_port
from tests.support.unmeasured import unmeasured_environ

# The processes of this file only refuse to start, in a fraction of a second: not measured by coverage
# (tests/support/unmeasured.py). The refusal's code runs measured in-process here (load_settings) and in
# every process of the test stacks (check_before_import).


def start(module: str, command: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *([command] if command else [])],
        env=unmeasured_environ("IDENTITY_", "ACTUALS_", "GATEWAY_", **env),
        capture_output=True,
        text=True,
        timeout=90,  # a ceiling for a hang: importing a service under coverage on a busy machine takes seconds
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


def test_a_list_setting_that_is_not_json_refuses_to_start_naming_it():
    result = start(
        "actuals",
        "api",
        ACTUALS_ENVIRONMENT="development",
        ACTUALS_HTTP_PORT=str(free_port()),
        ACTUALS_CONSUMER_RETRY_DELAYS="notjson",
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        "actuals: refusing to start: ACTUALS_CONSUMER_RETRY_DELAYS: must be a JSON list (e.g. [1, 5])"
    ]


@pytest.mark.parametrize(
    ("settings", "variable", "value", "example"),
    [
        (ActualsSettings, "ACTUALS_CONSUMER_RETRY_DELAYS", "5, 30", "[1, 5]"),
        (IdentitySettings, "IDENTITY_PREVIOUS_SIGNING_KEYS", "notjson", '["first", "second"]'),
        (IdentitySettings, "IDENTITY_PREVIOUS_SIGNING_KEYS", "", '["first", "second"]'),
        (MessagingSettings, "MESSAGING_NOTIFICATION_RETRY_DELAYS", "[1,", "[1, 5]"),
    ],
)
def test_each_list_setting_that_is_not_json_is_named_in_one_line(
    settings: type[CommonSettings],
    variable: str,
    value: str,
    example: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prefix = variable.split("_", 1)[0]
    monkeypatch.setenv(f"{prefix}_ENVIRONMENT", "development")
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as exit_info:
        load_settings(settings)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        f"{settings.service_name}: refusing to start: {variable}: must be a JSON list (e.g. {example})\n"
    )


def test_gateway_refuses_a_bad_setting_too():
    result = start("gateway", "", GATEWAY_UPSTREAM_READ_TIMEOUT="-3")
    assert result.returncode == 2
    assert "GATEWAY_UPSTREAM_READ_TIMEOUT" in result.stderr


def test_development_signing_key_is_refused_in_production():
    with pytest.raises(ValidationError, match="signing_key is a development key or secret"):
        IdentitySettings(
            environment=Environment.production,
            database_url="postgresql://identity@db/portal",
            amqp_url="amqp://u:p@mq/",
        )


def test_secrets_are_not_shown_in_settings_repr():
    settings = IdentitySettings(
        environment="development", database_url="postgresql://identity:hunter2-secret@db/portal"
    )
    assert "hunter2-secret" not in repr(settings)
    assert "BEGIN PRIVATE KEY" not in repr(settings)


# --- Production never runs on development keys (issue 9, item 1) ---------------------------------

REAL_IDENTITY_SECRETS = {
    "IDENTITY_SIGNING_KEY": SigningKey.generate().private_pem(),
    "IDENTITY_SECURITY_CODE_KEY": base64.b64encode(os.urandom(32)).decode(),
    "IDENTITY_DELIVERY_KEY": base64.b64encode(os.urandom(32)).decode(),
    "IDENTITY_GATEWAY_SECRET": "a-real-secret-from-the-vault",
}
PRODUCTION_IDENTITY = {
    "IDENTITY_ENVIRONMENT": "production",
    "IDENTITY_DATABASE_URL": "postgresql://identity@127.0.0.1:1/portal",
    "IDENTITY_AMQP_URL": "amqp://u:p@127.0.0.1:1/",
    **REAL_IDENTITY_SECRETS,
}


def refusal(module: str, command: str, **env: str) -> str:
    """The one line a process prints when it refuses to start (fails if it starts instead)."""
    try:
        result = start(module, command, **env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{module} {command} started instead of refusing")
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "module,command,prefix", [("identity", "api", "IDENTITY"), ("gateway", "", "GATEWAY")]
)
def test_the_environment_must_be_named(module: str, command: str, prefix: str) -> None:
    line = refusal(module, command, **{f"{prefix}_HTTP_PORT": str(free_port())})
    assert f"{prefix}_ENVIRONMENT" in line


@pytest.mark.parametrize(
    "setting,value",
    [
        ("IDENTITY_SIGNING_KEY", DEV_SIGNING_KEY),
        ("IDENTITY_PREVIOUS_SIGNING_KEYS", json.dumps([DEV_SIGNING_KEY])),
        ("IDENTITY_SECURITY_CODE_KEY", DEV_CODE_KEY),
        ("IDENTITY_PREVIOUS_SECURITY_CODE_KEYS", DEV_CODE_KEY),
        ("IDENTITY_DELIVERY_KEY", DEV_DELIVERY_KEY),
        ("IDENTITY_GATEWAY_SECRET", DEV_GATEWAY_SECRET),
        # The same key pasted with other line breaks is still the development key.
        ("IDENTITY_SIGNING_KEY", DEV_SIGNING_KEY.replace("\n", "\r\n") + "  "),
    ],
)
def test_identity_refuses_every_development_secret_in_production(
    setting: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, real in {**PRODUCTION_IDENTITY, setting: value}.items():
        monkeypatch.setenv(key, real)
    with pytest.raises(SystemExit) as exit_info:
        load_settings(IdentitySettings)
    assert exit_info.value.code == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line
    assert line.startswith(f"identity: refusing to start: {setting}:"), line
    assert "BEGIN PRIVATE KEY" not in line and DEV_CODE_KEY not in line


def test_identity_process_with_a_development_previous_key_refuses_to_start_in_production() -> None:
    line = refusal(
        "identity",
        "api",
        IDENTITY_HTTP_PORT=str(free_port()),
        **PRODUCTION_IDENTITY,
        IDENTITY_PREVIOUS_SIGNING_KEYS=json.dumps([DEV_SIGNING_KEY]),
    )
    assert "IDENTITY_PREVIOUS_SIGNING_KEYS" in line


def test_gateway_refuses_the_development_identity_secret_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GATEWAY_ENVIRONMENT", "production")
    monkeypatch.setenv("GATEWAY_PUBLIC_URL", "https://portal.council.example")
    monkeypatch.setenv("GATEWAY_CSRF_SECRET", "a-real-csrf-key-from-the-vault")
    monkeypatch.setenv("GATEWAY_IDENTITY_SECRET", DEV_IDENTITY_SECRET)
    with pytest.raises(SystemExit):
        load_settings(GatewaySettings)
    assert capsys.readouterr().err.startswith("gateway: refusing to start: GATEWAY_IDENTITY_SECRET:")


@pytest.mark.parametrize(
    ("public_url", "csrf_secret", "named"),
    [
        (None, "a-real-csrf-key", "GATEWAY_PUBLIC_URL"),
        ("http://portal.council.example", "a-real-csrf-key", "GATEWAY_PUBLIC_URL"),
        ("https://portal.council.example", None, "GATEWAY_CSRF_SECRET"),
    ],
)
def test_gateway_in_production_needs_its_https_address_and_a_shared_csrf_key(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    public_url: str | None,
    csrf_secret: str | None,
    named: str,
) -> None:
    monkeypatch.setenv("GATEWAY_ENVIRONMENT", "production")
    monkeypatch.setenv("GATEWAY_IDENTITY_SECRET", "a-real-secret-from-the-vault")
    for key, value in {"GATEWAY_PUBLIC_URL": public_url, "GATEWAY_CSRF_SECRET": csrf_secret}.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    with pytest.raises(SystemExit):
        load_settings(GatewaySettings)
    assert capsys.readouterr().err.startswith(f"gateway: refusing to start: {named}:")


def test_gateway_in_production_with_its_address_and_keys_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_ENVIRONMENT", "production")
    monkeypatch.setenv("GATEWAY_IDENTITY_SECRET", "a-real-secret-from-the-vault")
    monkeypatch.setenv("GATEWAY_PUBLIC_URL", "https://portal.council.example")
    monkeypatch.setenv("GATEWAY_CSRF_SECRET", "a-real-csrf-key-from-the-vault")
    assert load_settings(GatewaySettings).https


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_and_test_keep_the_development_keys(environment: str) -> None:
    settings = IdentitySettings(
        environment=environment, database_url="postgresql://identity@db/portal", amqp_url="amqp://u:p@mq/"
    )
    assert settings.signing_key.get_secret_value() == DEV_SIGNING_KEY


def test_production_with_real_secrets_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in PRODUCTION_IDENTITY.items():
        monkeypatch.setenv(key, value)
    assert load_settings(IdentitySettings).environment is Environment.production


@pytest.mark.parametrize(
    "module", ["identity", "actuals", "payments", "claims", "messaging", "reports", "gateway"]
)
def test_a_bad_setting_stops_the_process_before_its_program_is_imported(module: str) -> None:
    """`python -m <service>` checks the settings first (shared.settings.check_before_import): a pod with a
    bad setting fails in a fraction of a second, not after importing every module of its program."""
    prefix = module.upper()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", module, *(["api"] if module != "gateway" else [])],
        env=unmeasured_environ(
            f"{prefix}_", **{f"{prefix}_ENVIRONMENT": "test", f"{prefix}_HTTP_PORT": "eighty"}
        ),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert f"{module}.config" in imported  # the check ran, on the settings class alone
    assert f"{module}.main" not in imported
    assert f"{prefix}_HTTP_PORT" in result.stderr.splitlines()[-1]
