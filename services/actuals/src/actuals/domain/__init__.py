"""Rules of the actuals service as plain Python: no I/O, no clock (callers pass `now`), unit-tested on
their own; imports nothing of `actuals.store` or `actuals.api`. None yet.
"""
