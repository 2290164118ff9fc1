"""Request and decide: a provider asks, the council approves or rejects with a reason (or the person
who asked withdraws it). Today identity's new contacts, contact removals and access changes, and
organisation detail changes; claims, disputes and closure requests will be kinds of their own.

- `model`: the request record (`DecisionRequest`), its `Status`, and the `Kind` a service declares;
- `rules`: who may ask, see, decide and withdraw, and what a decision needs (pure);
- `store`: the SQL of a service's `decision_request` table (platform migration DECISION_REQUESTS);
- `workflow`: `Decisions`, the steps a handler takes inside its unit of work.
"""

from shared.decisions.model import Actions, DecisionRequest, Kind, Status
from shared.decisions.workflow import Decisions

__all__ = ["Actions", "DecisionRequest", "Decisions", "Kind", "Status"]
