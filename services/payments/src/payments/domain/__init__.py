"""Rules of the payments service as plain Python: no I/O, no clock (callers pass `now`), unit-tested on
their own; imports nothing of `payments.store` or `payments.api`. None yet.
"""
