import ipaddress
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from gateway.lanes import LaneSize
from shared.lanes import HASHING
from shared.settings import CommonSettings, Environment, SettingRefused

SERVICES = ("identity", "actuals", "payments", "claims", "messaging", "reports")


# Development and test only: refused at start-up in any other environment (see CommonSettings).
DEV_IDENTITY_SECRET = "development-only-gateway-secret"


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")
    service_name: ClassVar[str] = "gateway"
    dev_secret_defaults: ClassVar[dict[str, str]] = {"identity_secret": DEV_IDENTITY_SECRET}

    identity_url: str = Field("http://127.0.0.1:8001", description="base URL of the identity API")
    actuals_url: str = Field("http://127.0.0.1:8002", description="base URL of the actuals API")
    payments_url: str = Field("http://127.0.0.1:8003", description="base URL of the payments API")
    claims_url: str = Field("http://127.0.0.1:8004", description="base URL of the claims API")
    messaging_url: str = Field("http://127.0.0.1:8005", description="base URL of the messaging API")
    reports_url: str = Field("http://127.0.0.1:8006", description="base URL of the reports API")
    upstream_connect_timeout: float = Field(2.0, gt=0, description="seconds to connect to a service")
    upstream_read_timeout: float = Field(
        30.0, gt=0, description="seconds a service may take to answer (504 after)"
    )
    # Token verification of what the gateway forwards (identity's keys).
    token_issuer: str = Field("portal-identity", description="expected `iss` of internal tokens")
    token_audience: str = Field("portal-services", description="expected `aud` of internal tokens")
    token_jwks_url: str | None = Field(
        None, description="identity's JWKS; default: identity_url + /.well-known/jwks.json"
    )
    token_jwks_json: str | None = Field(None, description="static JWKS instead of the URL")
    # Web portal (gateway/web).
    csrf_secret: SecretStr | None = Field(
        None, description="key of the CSRF tokens, shared by every replica; required in production"
    )
    branding_cache_seconds: float = Field(
        60.0,
        ge=0,
        le=3600,
        description="how long the pages reuse an authority's branding read from identity: a council's change"
        " shows within this time",
    )
    # Sessions, API keys and their exchange with identity (see gateway.auth).
    identity_secret: SecretStr | None = Field(
        None,
        description="identity's gateway_secret: guards /internal/v1 on identity; required in production"
        " (development: a fixed development value)",
    )
    hashing_lane: int = Field(
        8,
        ge=1,
        description="calls to a service that hash a password (identity: log in, change a password or code,"
        " create or reset a user; the operations it marks `x-portal-lane: hashing`) in flight at once; more"
        " wait at the gateway, so a burst leaves connections to cheap calls",
    )
    hashing_wait_seconds: float = Field(
        15.0,
        gt=0,
        description="how long a hashing call waits for its place in the lane before it is answered 503"
        " with Retry-After",
    )
    cookie_secure: bool = Field(True, description="Secure session cookie; false only on plain http locally")
    token_cache_seconds: float = Field(
        10.0,
        ge=0,
        le=60,
        description="how long an exchanged token is reused for the same session or key (0: never)",
    )
    token_cache_size: int = Field(10000, ge=1)
    # The edge.
    body_limit_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        description="largest request body (JSON, forms) the gateway accepts; 413 over it",
    )
    upload_limit_bytes: int = Field(
        50 * 1024 * 1024,
        ge=1024,
        description="largest request body on the upload routes (gateway.body_limit.UPLOAD_ROUTES, e.g. an import)",
    )
    public_url: AnyHttpUrl | None = Field(
        None,
        description="the address browsers use (e.g. https://portal.council.gov.uk): HSTS is sent when it is"
        " https, and a browser's Origin must match it; unset: the request's own address (local http)",
    )
    trusted_proxies: Annotated[list[ipaddress.IPv4Network | ipaddress.IPv6Network], NoDecode] = Field(
        default_factory=list,
        description="addresses or CIDRs of the proxies in front of the gateway, comma-separated; only their"
        " X-Forwarded-For is read (rightmost untrusted hop). Empty: the socket's peer is the client",
    )

    dev_mail_folder: Path | None = Field(
        None,
        description="development only: the folder of the local mail sink (devtools/mail_sink.py) that the page"
        " /dev/mail lists; refused in production",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _identity_secret(self) -> Self:
        # Without it the gateway cannot exchange sessions or API keys (those requests answer 503);
        # production refuses to start, development uses identity's development default.
        if self.identity_secret is None:
            if self.environment is Environment.production:
                raise SettingRefused("identity_secret", "is required in production")
            if self.environment is Environment.development:
                self.identity_secret = SecretStr(DEV_IDENTITY_SECRET)
        return self

    @model_validator(mode="after")
    def _production_edge(self) -> Self:
        # In production browsers arrive over https: HSTS, Secure cookies and the Origin check all follow
        # from the configured address, and every replica must share the CSRF key.
        if self.environment is Environment.production:
            if self.public_url is None or self.public_url.scheme != "https":
                raise SettingRefused("public_url", "must be the portal's https address in production")
            if self.csrf_secret is None:
                raise SettingRefused("csrf_secret", "is required in production (every replica must share it)")
            if self.dev_mail_folder is not None:
                raise SettingRefused(
                    "dev_mail_folder", "is the development mail sink's page; not in production"
                )
        return self

    @property
    def https(self) -> bool:
        """Browsers reach the gateway over https (TLS may end before the gateway: this is configured,
        never read from a request)."""
        return self.public_url is not None and self.public_url.scheme == "https"

    def upstreams(self) -> dict[str, str]:
        return {name: str(getattr(self, f"{name}_url")).rstrip("/") for name in SERVICES}

    def service_secrets(self) -> dict[str, str]:
        """Each service's gateway secret, sent to its internal API only (identity's, so far)."""
        return {"identity": self.identity_secret.get_secret_value()} if self.identity_secret else {}

    def lanes(self) -> dict[str, LaneSize]:
        """The size of each lane a service may declare (shared/lanes.py); an undeclared name has none."""
        return {HASHING: LaneSize(places=self.hashing_lane, wait_seconds=self.hashing_wait_seconds)}
