from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# Development only: refused at start-up in any other environment (see ServiceSettings).
DEV_SIGNING_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJn6TNm25uCNY0KJkbmh1bNg2rVG7ECAm9XEuXrg+G9K\n"
    "-----END PRIVATE KEY-----\n"
)


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")
    service_name: ClassVar[str] = "identity"
    dev_secret_defaults: ClassVar[dict[str, str]] = {"signing_key": DEV_SIGNING_KEY}

    signing_key: SecretStr = Field(
        SecretStr(DEV_SIGNING_KEY), description="Ed25519 private key (PEM) that signs internal tokens"
    )
    previous_signing_keys: list[SecretStr] = Field(
        default_factory=list, description="keys still published in the JWKS during a rotation"
    )
    token_ttl_seconds: int = Field(120, ge=10, le=900, description="lifetime of an internal token")
