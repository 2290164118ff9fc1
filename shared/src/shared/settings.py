"""Settings: one pydantic-settings class per service, built once at start-up and passed down.

Every service subclasses `ServiceSettings` with its own env prefix (IDENTITY_, ACTUALS_, ...).
The environment has no default: every process names it. Secrets are `SecretStr`; outside development
and test, a secret equal to a development default (the keys committed in the code) is refused at
start-up, so a deployment can never run on the demo keys by accident.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, ClassVar, NoReturn, Self, TypeVar, get_args, get_origin

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


# Where the development keys committed in the code may be used.
DEVELOPMENT_ENVIRONMENTS = frozenset({Environment.development, Environment.test})
DEV_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


class SettingRefused(ValueError):
    """A setting whose value is refused; `setting` is the field's name, for the start-up line."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting} {reason}")
        self.setting = setting


class CommonSettings(BaseSettings):
    """What every process needs, the gateway included."""

    model_config = SettingsConfigDict(extra="ignore")
    service_name: ClassVar[str] = "service"
    # Development values of secret fields (a field may hold a list): refused outside development and test.
    dev_secret_defaults: ClassVar[dict[str, str]] = {}

    environment: Environment = Field(
        description="development, test or production; required: outside development and test, the"
        " development keys and secrets are refused"
    )
    http_host: str = Field("127.0.0.1", description="address the HTTP server listens on")
    http_port: int = Field(8000, ge=1, le=65535, description="port the HTTP server listens on")
    metrics_host: str = Field(
        "127.0.0.1", description="address of the internal listener (/metrics); never exposed publicly"
    )
    metrics_port: int = Field(
        9100,
        ge=0,
        le=65535,
        description="port of the internal listener that serves /metrics (0: any free port)",
    )
    log_level: str = Field(
        "INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$", description="DEBUG, INFO, WARNING or ERROR"
    )
    log_json: bool | None = Field(None, description="JSON logs; default: JSON unless stderr is a terminal")
    otlp_endpoint: AnyHttpUrl | None = Field(
        None, description="OTLP/HTTP traces endpoint; no export when unset"
    )

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Self:
        if self.environment in DEVELOPMENT_ENVIRONMENTS:
            return self
        for name, default in self.dev_secret_defaults.items():
            if any(_same_secret(value, default) for value in _secrets_of(getattr(self, name))):
                raise SettingRefused(name, "is a development key or secret; set a real one")
        return self


def _secrets_of(value: object) -> list[SecretStr]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, SecretStr)]


def _same_secret(value: SecretStr, default: str) -> bool:
    # Whitespace does not make a key another key (a PEM pasted with other line breaks is the same).
    return "".join(value.get_secret_value().split()) == "".join(default.split())


class ServiceSettings(CommonSettings):
    """What every service process needs. Subclasses set `service_name` and `model_config`."""

    database_url: SecretStr | None = Field(
        None, description="asyncpg DSN of this service's own role; the role may touch only its schema"
    )
    amqp_url: SecretStr | None = Field(None, description="RabbitMQ URL (the vhost isolates a deployment)")
    events_exchange: str = Field("portal.events", description="the durable topic exchange of all events")
    db_pool_min: int = Field(1, ge=0, description="connections the pool keeps open")
    db_pool_max: int = Field(10, ge=1, description="most connections the pool opens")
    consumer_delivery_limit: int = Field(
        5,
        ge=1,
        description="the queue's x-delivery-limit: deliveries that ended without a settlement (a consumer that"
        " crashed on the message) before the broker dead-letters it",
    )
    consumer_retry_delays: list[float] = Field(
        [5.0, 30.0, 120.0, 600.0],
        min_length=1,
        description="back-off before each retry of a failing event, in seconds (a JSON list); an event is"
        " tried once more than the list is long, unless its subscription sets its own limit",
    )
    consumer_prefetch: int = Field(64, ge=1, description="unacknowledged messages a consumer holds at once")
    consumer_batch_size: int = Field(
        32, ge=1, description="most messages a consumer applies in one transaction (never waits to fill it)"
    )
    consumer_appliers: int = Field(
        2,
        ge=1,
        description="transactions a consumer may run at once (each needs a database connection); they take"
        " turns, and a second one starts only when a transaction takes longer than 0.1 s",
    )
    worker_port: int = Field(
        9101,
        ge=0,
        le=65535,
        description="port on metrics_host where the worker process serves /healthz, /readyz and /metrics"
        " (0: any free port)",
    )
    relay_batch_size: int = Field(500, ge=1, description="outbox rows the relay publishes per transaction")
    relay_concurrency: int = Field(
        2, ge=1, description="batches the relay has in flight at once (each needs a database connection)"
    )
    relay_poll_seconds: float = Field(1.0, gt=0, description="polling fallback when no NOTIFY arrives")
    relay_publish_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="how long the relay waits for the broker's confirms of a batch; after it, the batch is"
        " rolled back and the relay reconnects",
    )
    outbox_retention_days: float = Field(
        7, gt=0, description="published outbox rows are deleted after this; `outbox replay` reaches this far"
    )
    inbox_retention_days: float = Field(
        30,
        gt=0,
        description="inbox rows are deleted after this; a redelivery older than that would be applied again,"
        " so keep it longer than the outbox retention",
    )
    # Token verification (the gateway forwards a token signed by identity).
    token_issuer: str = Field("portal-identity", description="expected `iss` of internal tokens")
    token_audience: str = Field("portal-services", description="expected `aud` of internal tokens")
    token_jwks_url: str | None = Field(None, description="identity's JWKS; fetched and cached")
    token_jwks_json: str | None = Field(
        None, description="static JWKS instead of the URL (tests, air-gapped)"
    )

    @model_validator(mode="after")
    def _inbox_outlives_outbox(self) -> Self:
        if self.inbox_retention_days < self.outbox_retention_days:
            raise ValueError("inbox_retention_days must be at least outbox_retention_days")
        return self

    @model_validator(mode="after")
    def _fill_development_defaults(self) -> Self:
        dev = self.environment is Environment.development
        if self.database_url is None:
            if not dev:
                raise SettingRefused("database_url", "is required outside development")
            self.database_url = SecretStr(f"postgresql://portal_{self.service_name}@127.0.0.1:5432/portal")
        if self.amqp_url is None:
            if not dev:
                raise SettingRefused("amqp_url", "is required outside development")
            self.amqp_url = SecretStr(DEV_AMQP_URL)
        return self

    @property
    def dsn(self) -> str:
        assert self.database_url is not None
        return self.database_url.get_secret_value()

    @property
    def amqp(self) -> str:
        assert self.amqp_url is not None
        return self.amqp_url.get_secret_value()


S = TypeVar("S", bound=CommonSettings)


def load_settings(cls: type[S], **overrides: Any) -> S:
    """Build settings from the environment, or exit with one line naming the bad setting."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        _refuse_to_start(cls, exc)
    except SettingsError as exc:
        _refuse_unparsed(cls, exc)


def check_before_import(cls: type[CommonSettings], argv: Sequence[str] | None = None) -> None:
    """For a process's `__main__`, before it imports its program: a missing or malformed setting stops
    the process in a fraction of a second, not after the two seconds its whole program takes to import
    (a crash-looping pod, `make run`), with the one line of `load_settings`, which the program then calls
    again. `--help` answers whatever the settings."""
    argv = sys.argv[1:] if argv is None else argv
    if not {"-h", "--help"} & set(argv):
        load_settings(cls)


def _refuse_to_start(cls: type[CommonSettings], exc: ValidationError) -> NoReturn:
    problems = []
    for err in exc.errors():
        refused = err.get("ctx", {}).get("error")
        loc = [refused.setting] if isinstance(refused, SettingRefused) else [str(p) for p in err["loc"]]
        problems.append(f"{_variable(cls, loc[0] if loc else '')}: {err['msg']}")
    _refuse(cls, problems)


# pydantic-settings reads a list setting as JSON before validating it; when the variable is not JSON it
# raises SettingsError, which names the field in its message only ('error parsing value for field "x"').
_UNPARSED_FIELD = re.compile(r'field "([^"]+)"')


def _refuse_unparsed(cls: type[CommonSettings], exc: SettingsError) -> NoReturn:
    found = _UNPARSED_FIELD.search(str(exc))
    field = cls.model_fields.get(found.group(1)) if found else None
    if found is None or field is None:
        _refuse(cls, [str(exc)])
    texts = get_args(field.annotation)[:1] in ((str,), (SecretStr,))
    example = '["first", "second"]' if texts else "[1, 5]"  # not the value: it may be a secret
    what = f"a JSON list (e.g. {example})" if get_origin(field.annotation) is list else "JSON"
    _refuse(cls, [f"{_variable(cls, found.group(1))}: must be {what}"])


def _variable(cls: type[CommonSettings], field: str) -> str:
    prefix = str(cls.model_config.get("env_prefix", ""))
    return (prefix + field).upper() if field else prefix.rstrip("_")


def _refuse(cls: type[CommonSettings], problems: list[str]) -> NoReturn:
    sys.stderr.write(f"{cls.service_name}: refusing to start: {'; '.join(problems)}\n")
    raise SystemExit(2)
