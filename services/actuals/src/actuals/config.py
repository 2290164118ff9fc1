from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACTUALS_", extra="ignore")
    service_name: ClassVar[str] = "actuals"

    # The gateway's upload limit (GATEWAY_UPLOAD_LIMIT_BYTES) is the same 50 MiB: a larger import is
    # refused with this limit named, whichever of the two sees it first.
    import_limit_bytes: int = Field(
        52_428_800, gt=0, description="largest actuals import file accepted (bytes): 413 above it"
    )
    import_poll_seconds: float = Field(
        1.0, gt=0, description="how often the worker looks for pending imports when idle"
    )
