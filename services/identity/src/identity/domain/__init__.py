"""Identity's rules as plain Python: no I/O, no clock (callers pass `now`), no randomness they can't inject."""
