"""Use cases of the actuals service (clients, care package line items, weekly actuals), `(caller, work, *,
inputs)`: one unit of work each, records out, `shared.errors` raised (docs/architecture.md, "The service
shape"). None yet."""
