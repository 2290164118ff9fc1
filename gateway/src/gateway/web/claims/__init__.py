"""One-Off Claims (seed 004 section 6; DOMAIN.md "One-off claims"): a provider's claims for mileage
and other one-off costs, their items with one attachment each, submission, and the council's decision.
The home card is shown only where the provider's authority takes claims (the service's /offer)."""

from gateway.web.areas import Area
from gateway.web.claims import access, claims, items
from gateway.web.tasks import Task, TaskId

AREA = Area.of(
    __file__,
    # The claims' own pages first: /one-off-claims/new is not a claim (/one-off-claims/{claim_id}).
    routers=(claims.router, items.router),
    task=Task(TaskId.one_off_claims, "View and create One-Off Claims"),
    # No line on the landing page: whether claims are taken depends on the council and the provider
    # (not known before logging in), and Telford & Wrekin takes none.
    offered=access.offered,
)
