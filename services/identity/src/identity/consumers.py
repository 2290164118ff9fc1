"""The events the identity service listens to, declared in one table."""

from identity.handlers.report_downloads import record_download
from shared.bus import Subscription
from shared.events import ReportArtifactDownloaded

SUBSCRIPTIONS: list[Subscription] = [
    Subscription(ReportArtifactDownloaded, record_download),
]
