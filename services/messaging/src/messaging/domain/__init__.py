"""Rules of the messaging service as plain Python: no I/O, no clock (callers pass `now`), unit-tested on
their own; imports nothing of `messaging.store` or `messaging.api`. None yet.
"""
