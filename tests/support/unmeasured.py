"""The environment of a short process a test starts on purpose, that coverage does not measure.

Under `make test`, coverage's `patch = subprocess` sets COVERAGE_* variables so that every process a test
starts is measured too; starting and saving coverage costs a process a fraction of a second, which adds up
over dozens of sub-second processes (a refusal to start) or a whole nested pytest run. Such processes
drop those variables: what they run is measured elsewhere."""

from __future__ import annotations

import os


def unmeasured_environ(*dropped_prefixes: str, **env: str) -> dict[str, str]:
    """This process's environment without coverage's variables nor any starting with `dropped_prefixes`,
    with `env` on top."""
    prefixes = ("COVERAGE_", *dropped_prefixes)
    return {**{k: v for k, v in os.environ.items() if not k.startswith(prefixes)}, **env}
