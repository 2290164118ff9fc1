from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTS_", extra="ignore")
    service_name: ClassVar[str] = "reports"

    render_port: int = Field(
        9102,
        ge=0,
        le=65535,
        description="port on metrics_host where a render worker serves /healthz, /readyz and /metrics"
        " (0: any free port)",
    )
    retention_hours: int = Field(
        168,
        ge=1,
        le=24 * 90,
        description="how long a run's file is kept and listed under My reports, in hours (7 days by default)",
    )
