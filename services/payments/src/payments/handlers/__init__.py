"""Use cases of the payments service (schedules, scheduled payments, purchase orders, remittances, invoices),
one module per area.

A handler is `async def <use_case>(caller: Caller, work: Work, *, <inputs>) -> <Record>`: it checks the
caller's capability (`shared.capabilities`), opens one unit of work (`work.begin(caller.actor)`), reads and
writes through `payments.store`, says what happened with `uow.publish(...)` and `uow.audit(...)`, and raises
`shared.errors` domain errors, never HTTP ones. None yet.
"""
