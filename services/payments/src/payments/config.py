from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """PAYMENTS_COMPUTE_RUNS and PAYMENTS_RUN_POLL_SECONDS: whether this worker computes the payment runs the
    council starts, and how often an idle one looks for one (payments.run_worker)."""

    model_config = SettingsConfigDict(env_prefix="PAYMENTS_", extra="ignore")
    service_name: ClassVar[str] = "payments"

    compute_runs: bool = Field(
        True,
        description="compute payment runs in this worker; false for a worker that only relays and consumes"
        " events (e.g. when runs are computed by workers of their own)",
    )
    run_poll_seconds: float = Field(
        1.0, gt=0, le=3600, description="how often an idle worker looks for a payment run to compute"
    )
