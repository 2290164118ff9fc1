"""Settings: one pydantic-settings class per service, built once at start-up and passed down.

Every service subclasses `ServiceSettings` with its own env prefix (IDENTITY_, ACTUALS_, ...).
Secrets are `SecretStr`; outside `development` a secret left at its development default is refused,
so a deployment can never run on the demo keys by accident.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any, ClassVar, NoReturn, Self, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


DEV_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


class ServiceSettings(BaseSettings):
    """What every service process needs. Subclasses set `service_name` and `model_config`."""

    model_config = SettingsConfigDict(extra="ignore")
    service_name: ClassVar[str] = "service"
    # Development defaults of secret fields: refused when environment is not development.
    dev_secret_defaults: ClassVar[dict[str, str]] = {}

    environment: Environment = Field(Environment.development, description="development, test or production")
    database_url: SecretStr | None = Field(
        None, description="asyncpg DSN of this service's own role; the role may touch only its schema"
    )
    amqp_url: SecretStr | None = Field(None, description="RabbitMQ URL (the vhost isolates a deployment)")
    events_exchange: str = Field("portal.events", description="the durable topic exchange of all events")
    http_host: str = "127.0.0.1"
    http_port: int = Field(8000, ge=1, le=65535)
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    log_json: bool | None = Field(None, description="JSON logs; default: JSON unless stderr is a terminal")
    otlp_endpoint: str | None = Field(None, description="OTLP/HTTP traces endpoint; no export when unset")
    db_pool_min: int = Field(1, ge=0)
    db_pool_max: int = Field(10, ge=1)
    consumer_delivery_limit: int = Field(5, ge=1, description="deliveries before a message is dead-lettered")
    consumer_prefetch: int = Field(64, ge=1, description="unacknowledged deliveries a consumer may hold")
    consumer_concurrency: int = Field(4, ge=1, description="transactions a consumer runs at once")
    consumer_batch_size: int = Field(16, ge=1, description="most deliveries applied in one transaction")
    relay_batch_size: int = Field(500, ge=1)
    relay_poll_seconds: float = Field(1.0, gt=0, description="polling fallback when no NOTIFY arrives")
    # Token verification (the gateway forwards a token signed by identity).
    token_issuer: str = "portal-identity"
    token_audience: str = "portal-services"
    token_jwks_url: str | None = Field(None, description="identity's JWKS; fetched and cached")
    token_jwks_json: str | None = Field(
        None, description="static JWKS instead of the URL (tests, air-gapped)"
    )

    @model_validator(mode="after")
    def _fill_development_defaults(self) -> Self:
        dev = self.environment is Environment.development
        if self.database_url is None:
            if not dev:
                raise ValueError("database_url is required outside development")
            self.database_url = SecretStr(f"postgresql://portal_{self.service_name}@127.0.0.1:5432/portal")
        if self.amqp_url is None:
            if not dev:
                raise ValueError("amqp_url is required outside development")
            self.amqp_url = SecretStr(DEV_AMQP_URL)
        if not dev:
            for field, default in self.dev_secret_defaults.items():
                value = getattr(self, field)
                if isinstance(value, SecretStr) and value.get_secret_value() == default:
                    raise ValueError(f"{field} is still the development default; set a real secret")
        return self

    @property
    def dsn(self) -> str:
        assert self.database_url is not None
        return self.database_url.get_secret_value()

    @property
    def amqp(self) -> str:
        assert self.amqp_url is not None
        return self.amqp_url.get_secret_value()


S = TypeVar("S", bound=ServiceSettings)


def load_settings(cls: type[S], **overrides: Any) -> S:
    """Build settings from the environment, or exit with one line naming the bad setting."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        _refuse_to_start(cls, exc)


def _refuse_to_start(cls: type[ServiceSettings], exc: ValidationError) -> NoReturn:
    prefix = str(cls.model_config.get("env_prefix", ""))
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        name = (prefix + loc[0]).upper() if loc else prefix.rstrip("_")
        problems.append(f"{name}: {err['msg']}")
    sys.stderr.write(f"{cls.service_name}: refusing to start: {'; '.join(problems)}\n")
    raise SystemExit(2)
