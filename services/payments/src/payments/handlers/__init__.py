"""Use cases of the payments service (schedules, scheduled payments, purchase orders, remittances, invoices),
`(caller, work, *, inputs)`: one unit of work each, records out, `shared.errors` raised
(docs/architecture.md, "The service shape"). None yet."""
