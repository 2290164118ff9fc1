"""Use cases of the messaging service (actions and change requests), `(caller, work, *, inputs)`: one unit of
work each, records out, `shared.errors` raised (docs/architecture.md, "The service shape"). None yet."""
