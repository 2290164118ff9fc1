"""Rules of the claims service as plain Python: no I/O, no clock (callers pass `now`), unit-tested on
their own; imports nothing of `claims.store` or `claims.api`. None yet.
"""
