"""The services of this repository, declared in one place: the root pyproject.toml's dependencies that
are packages under services/, in the order declared (identity first: the others consume its events).

`make run`, the tests and the other tools read this list; `make new-service` adds to it. The gateway is
a deployed program, not a tool: it keeps its own list (gateway/src/gateway/config.py).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from devtools.envfile import ROOT


def service_names(root: Path = ROOT) -> tuple[str, ...]:
    dependencies = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [re.split(r"[^A-Za-z0-9_.-]", requirement, maxsplit=1)[0] for requirement in dependencies]
    return tuple(name for name in names if (root / "services" / name / "pyproject.toml").is_file())


SERVICES = service_names()
