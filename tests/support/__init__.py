"""Test support shared by every test: the isolated environment of one run, stacks of real processes."""
