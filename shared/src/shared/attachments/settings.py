"""The settings of attachments, for a service's settings class to take in:

    class Settings(ServiceSettings, AttachmentSettings):
        model_config = SettingsConfigDict(env_prefix="CLAIMS_", extra="ignore")

so that `CLAIMS_ATTACHMENTS_BACKEND=s3`, `CLAIMS_ATTACHMENTS_S3_BUCKET=...` and the rest configure it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import AnyHttpUrl, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import SettingRefused


class AttachmentBackend(StrEnum):
    database = "database"  # a bytea table in the service's own schema
    s3 = "s3"  # an S3-compatible object store


class AttachmentSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    attachments_backend: AttachmentBackend = Field(
        AttachmentBackend.database,
        description="where uploaded files are kept: database (the service's schema) or s3 (an"
        " S3-compatible object store); the metadata is always in the service's schema",
    )
    attachments_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1, le=1024 * 1024 * 1024, description="largest upload accepted, in bytes"
    )
    attachments_s3_endpoint_url: AnyHttpUrl | None = Field(
        None, description="the object store's URL (required for s3)"
    )
    attachments_s3_bucket: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        description="the bucket (required for s3); objects are named <service>/<attachment id>",
    )
    attachments_s3_region: str = Field("eu-west-2", description="the bucket's region")
    attachments_s3_access_key_id: SecretStr | None = Field(
        None, description="access key id (required for s3)"
    )
    attachments_s3_secret_access_key: SecretStr | None = Field(
        None, description="secret access key (required for s3)"
    )

    @model_validator(mode="after")
    def _s3_needs_its_store(self) -> Self:
        if self.attachments_backend is not AttachmentBackend.s3:
            return self
        for name in (
            "attachments_s3_endpoint_url",
            "attachments_s3_bucket",
            "attachments_s3_access_key_id",
            "attachments_s3_secret_access_key",
        ):
            if getattr(self, name) is None:
                raise SettingRefused(name, "is required when attachments_backend is s3")
        return self
