"""Use cases of the claims service (one-off claims and their decisions), `(caller, work, *, inputs)`: one unit
of work each, records out, `shared.errors` raised (docs/architecture.md, "The service shape"). None yet."""
