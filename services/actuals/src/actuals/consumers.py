"""The events the actuals service listens to, declared in one table."""

from shared.bus import Subscription
from shared.projections import OrganisationProjection

organisations = OrganisationProjection("actuals")

SUBSCRIPTIONS: list[Subscription] = [
    organisations.subscription(),
]
