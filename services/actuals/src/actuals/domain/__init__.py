"""Rules of the actuals service as plain Python: no I/O, nothing of its store or api (costs: what a week of
delivered care costs)."""
