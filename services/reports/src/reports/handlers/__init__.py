"""Use cases of the reports service: `runs` as a user asks for them (the catalogue, a new run, its
state, its file), `rendering` as the render worker does them (render a run, give up on one).

A user's use case is `async def <use_case>(caller: Caller, work: Work, *, <inputs>)`: it checks the
reports capability, reads and writes through `reports.store` in one unit of work, publishes and audits
with it, returns records and raises `shared.errors` domain errors (never HTTP ones).
"""
