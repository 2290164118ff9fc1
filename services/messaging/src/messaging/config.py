from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.attachments import AttachmentSettings
from shared.settings import ServiceSettings


class Settings(ServiceSettings, AttachmentSettings):
    """MESSAGING_ATTACHMENTS_MAX_BYTES and the rest of the kit's attachment settings
    (shared.attachments.settings), for the files of a thread."""

    model_config = SettingsConfigDict(env_prefix="MESSAGING_", extra="ignore")
    service_name: ClassVar[str] = "messaging"

    overdue_sweep_seconds: float = Field(
        300.0, gt=0, description="how often the worker looks for actions newly past their due date"
    )
