"""The events the reports service listens to, declared in one table."""

from shared.bus import Subscription
from shared.projections import OrganisationProjection

organisations = OrganisationProjection("reports")

SUBSCRIPTIONS: list[Subscription] = [
    organisations.subscription(),
]
