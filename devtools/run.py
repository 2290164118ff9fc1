"""`make run`: prepare, then start every API, worker and the gateway from the Procfile under honcho.

Ctrl-C (or SIGTERM) stops every process; honcho also stops all when one of them dies.
"""

from __future__ import annotations

import sys

from honcho.manager import Manager

from devtools import prepare
from devtools.envfile import ROOT, load_dev_env


def procfile() -> list[tuple[str, str]]:
    entries = []
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries.append((name.strip(), command.strip()))
    return entries


def main() -> None:
    env = load_dev_env()
    prepare.main()
    manager = Manager()
    for name, command in procfile():
        manager.add_process(name, command.replace("python ", f"{sys.executable} ", 1), env=env, cwd=str(ROOT))
    manager.loop()
    sys.exit(manager.returncode)


if __name__ == "__main__":
    main()
