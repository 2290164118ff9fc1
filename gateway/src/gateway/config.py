from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import CommonSettings

SERVICES = ("identity", "actuals", "payments", "claims", "messaging", "reports")


class Settings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")
    service_name: ClassVar[str] = "gateway"

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

    def upstreams(self) -> dict[str, str]:
        return {name: str(getattr(self, f"{name}_url")).rstrip("/") for name in SERVICES}
