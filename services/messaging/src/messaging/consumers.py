"""The events the messaging service listens to, declared in one table."""

from messaging.notifications import users
from shared.bus import Subscription
from shared.projections import OrganisationProjection

organisations = OrganisationProjection("messaging")

SUBSCRIPTIONS: list[Subscription] = [
    organisations.subscription(),
    users.subscription(),  # portal users, whom notifications are addressed to
]
