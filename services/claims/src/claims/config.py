from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.attachments import AttachmentSettings
from shared.settings import ServiceSettings


class Settings(ServiceSettings, AttachmentSettings):
    """CLAIMS_ATTACHMENTS_MAX_BYTES (10 MiB by default, the issue's "up to 10 MB each"), and the rest of
    the kit's attachment settings (shared.attachments.settings)."""

    model_config = SettingsConfigDict(env_prefix="CLAIMS_", extra="ignore")
    service_name: ClassVar[str] = "claims"
