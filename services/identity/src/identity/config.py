"""Settings of the identity service (env prefix IDENTITY_). The development keys below are refused
outside development and test, wherever they are set (see shared.settings)."""

from __future__ import annotations

import base64
import json
import os
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from shared.settings import ServiceSettings, SettingRefused

# Development and test only: refused at start-up in any other environment (see CommonSettings).
DEV_SIGNING_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJn6TNm25uCNY0KJkbmh1bNg2rVG7ECAm9XEuXrg+G9K\n"
    "-----END PRIVATE KEY-----\n"
)
DEV_CODE_KEY = "ZGV2ZWxvcG1lbnQtb25seS1zZWN1cml0eS1jb2RlLWs="  # 32 bytes, base64
DEV_DELIVERY_KEY = "ZGV2ZWxvcG1lbnQtb25seS1kZWxpdmVyeS1rZXktMzI="  # 32 bytes, base64
DEV_GATEWAY_SECRET = "development-only-gateway-secret"
# OWASP Password Storage Cheat Sheet: argon2id with m=19 MiB, t=2, p=1 at least, or an equivalent
# trade of memory for passes (m=7 MiB, t=5 ... m=46 MiB, t=1); m x t below 35840 KiB is refused.
OWASP_MIN_MEMORY_KIB = 7168
OWASP_MIN_MEMORY_X_TIME = 35840


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")
    service_name: ClassVar[str] = "identity"
    dev_secret_defaults: ClassVar[dict[str, str]] = {
        "signing_key": DEV_SIGNING_KEY,
        "previous_signing_keys": DEV_SIGNING_KEY,
        "security_code_key": DEV_CODE_KEY,
        "previous_security_code_keys": DEV_CODE_KEY,
        "delivery_key": DEV_DELIVERY_KEY,
        "gateway_secret": DEV_GATEWAY_SECRET,
    }

    signing_key: SecretStr = Field(
        SecretStr(DEV_SIGNING_KEY), description="Ed25519 private key (PEM) that signs internal tokens"
    )
    previous_signing_keys: list[SecretStr] = Field(
        default_factory=list,
        description="earlier signing keys (PEM), still published in the JWKS during a rotation: a JSON list,"
        ' e.g. ["-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n"]',
    )
    token_ttl_seconds: int = Field(120, ge=10, le=900, description="lifetime of an internal token")
    machine_token_ttl_seconds: int = Field(
        300, ge=10, le=3600, description="lifetime of a token issued to a council client"
    )
    security_code_key: SecretStr = Field(
        SecretStr(DEV_CODE_KEY), description="AES-256-GCM key (base64, 32 bytes) of security codes at rest"
    )
    # NoDecode: the variable is comma-separated (base64 has no comma), or a JSON list like the signing keys'.
    previous_security_code_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="earlier security-code keys (base64), comma-separated or a JSON list, which still open"
        " the codes they sealed during a rotation; `python -m identity reseal` says when none is needed any"
        " more",
    )
    delivery_key: SecretStr = Field(
        SecretStr(DEV_DELIVERY_KEY),
        description="AES-256-GCM key (base64, 32 bytes) sealing temporary passwords in events for messaging",
    )
    gateway_secret: SecretStr = Field(
        SecretStr(DEV_GATEWAY_SECRET), description="shared with the gateway; guards /internal/v1"
    )
    argon2_time_cost: int = Field(2, ge=1, le=20)
    argon2_memory_kib: int = Field(19456, ge=OWASP_MIN_MEMORY_KIB, le=1048576)
    argon2_parallelism: int = Field(1, ge=1, le=16)
    hash_workers: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 2) - 1),
        ge=1,
        description="threads that hash passwords; one CPU is left to the event loop",
    )
    journey_ttl_seconds: int = Field(600, ge=60, le=3600, description="time to finish a login")
    login_limit_per_account: int = Field(10, ge=1, description="login attempts per account per window")
    login_limit_per_address: int = Field(
        100, ge=1, description="login attempts per client address per window"
    )
    login_limit_window_seconds: int = Field(
        900,
        ge=1,
        le=86400,
        description="the sliding window of the login limits: attempts in the last this many seconds",
    )
    reset_limit_per_account: int = Field(3, ge=1, description="reset requests per e-mail per window")
    reset_limit_per_address: int = Field(20, ge=1, description="reset requests per client address per window")
    reset_limit_window_seconds: int = Field(
        3600,
        ge=1,
        le=86400,
        description="the sliding window of the reset limits: requests in the last this many seconds",
    )
    token_limit_per_client: int = Field(
        30, ge=1, description="council token requests (client credentials) per client id per window"
    )
    token_limit_per_address: int = Field(
        100, ge=1, description="council token requests (client credentials) per client address per window"
    )
    token_limit_window_seconds: int = Field(
        300, ge=1, le=86400, description="the sliding window of the token limits, in seconds"
    )

    @field_validator("previous_security_code_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)  # a malformed list is refused by pydantic, without its text
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _check_keys_and_hashing(self) -> Self:
        for name in ("security_code_key", "delivery_key"):
            if len(_decoded(getattr(self, name))) != 32:  # the message names the setting, never its value
                raise ValueError(f"{name} must be 32 bytes, base64-encoded")
        for position, raw in enumerate(self.previous_security_code_keys, start=1):
            if len(_decoded(raw)) != 32:
                raise SettingRefused(
                    "previous_security_code_keys",
                    f"has a key (number {position}) that is not 32 bytes, base64-encoded",
                )
        if self.argon2_memory_kib * self.argon2_time_cost < OWASP_MIN_MEMORY_X_TIME:
            raise ValueError(
                "argon2 parameters are below the OWASP minimum (memory_kib x time_cost >= 35840)"
            )
        return self

    def key_bytes(self, name: str) -> bytes:
        raw: SecretStr = getattr(self, name)
        return base64.b64decode(raw.get_secret_value())

    def previous_code_keys(self) -> list[bytes]:
        return [_decoded(k) for k in self.previous_security_code_keys]


def _decoded(raw: SecretStr) -> bytes:
    try:
        return base64.b64decode(raw.get_secret_value().strip(), validate=True)
    except ValueError:
        return b""
