"""Rules of the messaging service as plain Python: no I/O, nothing of its store or api. None yet."""
