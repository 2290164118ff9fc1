"""The events the claims service listens to, declared in one table."""

from shared.bus import Subscription
from shared.projections import OrganisationProjection

organisations = OrganisationProjection("claims")

SUBSCRIPTIONS: list[Subscription] = [
    organisations.subscription(),
]
