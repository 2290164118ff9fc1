"""The events the actuals service listens to, declared in one table.

- identity's organisations, contracts and provider services, kept as declared projections
  (`actuals.organisation`, `actuals.contract`, `actuals.provider_service`): the council's CPLIs name a
  service, and the service gives the organisation, the contract and its cost policy. A consumer that
  starts late fills them with `python -m actuals backfill request --from identity --aggregate contract`
  (and `provider_service`).
- payments' finalised payment runs: every week a run paid is locked for good.
"""

from actuals.handlers.council_weeks import lock_paid_weeks
from shared.bus import Subscription
from shared.events import ContractUpserted, PaymentRunFinalised, ProviderServiceUpserted
from shared.projections import OrganisationProjection, Projection

organisations = OrganisationProjection("actuals")

# The columns the contract table keeps, each from the payload field of the same name (the event also
# carries VAT registration and dates, which actuals does not need).
CONTRACT_COLUMNS = (
    "contract_id",
    "authority_id",
    "organisation_id",
    "reference",
    "name",
    "payment_basis",
    "frequency",
    "pays_frustrated",
    "pays_extras",
    "active",
    "revision",
    "updated_at",
)
SERVICE_COLUMNS = (
    "service_id",
    "authority_id",
    "organisation_id",
    "contract_id",
    "reference",
    "name",
    "active",
    "revision",
    "updated_at",
)

contracts = Projection.mirror(
    ContractUpserted, "actuals", "contract", key="contract_id", columns=CONTRACT_COLUMNS
)
services = Projection.mirror(
    ProviderServiceUpserted, "actuals", "provider_service", key="service_id", columns=SERVICE_COLUMNS
)

SUBSCRIPTIONS: list[Subscription] = [
    organisations.subscription(),
    *contracts.subscriptions(),
    *services.subscriptions(),
    Subscription(PaymentRunFinalised, lock_paid_weeks),
]
