from typing import ClassVar, Literal, Self

from pydantic import AnyHttpUrl, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.attachments import AttachmentSettings
from shared.settings import Environment, ServiceSettings, SettingRefused


class Settings(ServiceSettings, AttachmentSettings):
    """MESSAGING_ATTACHMENTS_MAX_BYTES and the rest of the kit's attachment settings
    (shared.attachments.settings), for the files of a thread; MESSAGING_EMAIL_*, _SMTP_*, _NOTIFY_* and
    _NOTIFICATION_*: how the worker sends the notifications of the outbox (messaging.notifications,
    docs/messaging.md "Notifications")."""

    model_config = SettingsConfigDict(env_prefix="MESSAGING_", extra="ignore")
    service_name: ClassVar[str] = "messaging"

    overdue_sweep_seconds: float = Field(
        300.0, gt=0, description="how often the worker looks for actions newly past their due date"
    )
    email_backend: Literal["sink", "smtp", "notify"] = Field(
        "sink",
        description="sink: the local development SMTP sink of `make run` (refused in production); smtp: the"
        " SMTP server of MESSAGING_SMTP_*; notify: GOV.UK Notify with MESSAGING_NOTIFY_*",
    )
    email_from: str = Field(
        "Provider Portal <no-reply@provider-portal.invalid>",
        description="From of every mail (SMTP backends); its domain also names the Message-IDs",
    )
    sink_host: str = Field("127.0.0.1", description="address of the development SMTP sink")
    sink_port: int = Field(1025, ge=1, le=65535, description="port of the development SMTP sink")
    smtp_host: str | None = Field(None, description="SMTP server (email_backend smtp)")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port")
    smtp_starttls: bool = Field(True, description="upgrade the connection with STARTTLS")
    smtp_use_tls: bool = Field(False, description="implicit TLS from the start (port 465) instead")
    smtp_username: str | None = Field(None, description="SMTP login, if the server asks for one")
    smtp_password: SecretStr | None = Field(None, description="SMTP password")
    smtp_timeout_seconds: float = Field(30.0, gt=0, description="how long one SMTP command may take")
    notify_api_key: SecretStr | None = Field(None, description="GOV.UK Notify API key (email_backend notify)")
    notify_template_id: str | None = Field(
        None,
        description="the Notify e-mail template whose subject is ((subject)) and whose body is ((body))",
    )
    notify_base_url: AnyHttpUrl = Field(
        AnyHttpUrl("https://api.notifications.service.gov.uk"), description="GOV.UK Notify's API"
    )
    notify_timeout_seconds: float = Field(30.0, gt=0, description="how long one call to Notify may take")
    send_notifications: bool = Field(
        True,
        description="send the outbox's notifications in this worker; false for a worker that only relays"
        " and consumes events",
    )
    notification_batch_size: int = Field(
        50, ge=1, le=1000, description="notifications one sender claims and sends per transaction"
    )
    notification_senders: int = Field(
        2,
        ge=1,
        le=16,
        description="senders at once in one worker, each with its own SMTP connection and database connection"
        " (two keep the SMTP server busy while one waits for an answer)",
    )
    notification_poll_seconds: float = Field(
        1.0, gt=0, le=3600, description="how often an idle sender looks for due notifications"
    )
    notification_retry_delays: list[float] = Field(
        [30.0, 120.0, 600.0, 3600.0, 14400.0],
        min_length=1,
        description="back-off before each new attempt of a mail that failed, in seconds (a JSON list); after"
        " the last, the notification is marked failed",
    )
    portal_url: AnyHttpUrl = Field(
        AnyHttpUrl("http://localhost:8000"), description="the portal's address, for the links in the mails"
    )

    @model_validator(mode="after")
    def _email_backend_configured(self) -> Self:
        # The sink keeps every mail on the developer's machine: a production worker using it would tell
        # no one anything, so production refuses it (as it refuses the development keys).
        if self.environment is Environment.production and self.email_backend == "sink":
            raise SettingRefused(
                "email_backend", "is the development mail sink; production sends through smtp or notify"
            )
        if self.email_backend == "smtp" and not self.smtp_host:
            raise SettingRefused("smtp_host", "is required with email_backend smtp")
        if self.email_backend == "notify" and (self.notify_api_key is None or not self.notify_template_id):
            raise SettingRefused(
                "notify_api_key", "and notify_template_id are required with email_backend notify"
            )
        if self.environment is Environment.production and self.portal_url.scheme != "https":
            raise SettingRefused("portal_url", "must be the portal's https address in production")
        return self


class PortalAddress(BaseSettings):
    """Only MESSAGING_PORTAL_URL, read from the process's environment: the address the mails link to, for
    code that is not handed the settings (the event consumers' handlers). The same variable `Settings`
    read and checked when the process started (https in production), with the same default."""

    model_config = SettingsConfigDict(env_prefix="MESSAGING_", extra="ignore")
    portal_url: AnyHttpUrl = Settings.model_fields["portal_url"].default
