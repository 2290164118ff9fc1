"""The event backbone: outbox (write), relay (publish), consumer (apply once)."""

from shared.bus.consumer import Consumer
from shared.bus.delivery import Subscription
from shared.bus.outbox import Outbox
from shared.bus.relay import OutboxRelay

__all__ = ["Consumer", "Outbox", "OutboxRelay", "Subscription"]
