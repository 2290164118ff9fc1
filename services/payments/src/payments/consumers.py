"""The events the payments service listens to, declared in one table."""

from shared.bus import Subscription
from shared.projections import OrganisationProjection

organisations = OrganisationProjection("payments")

SUBSCRIPTIONS: list[Subscription] = [
    organisations.subscription(),
]
