"""Waits until the gateway and every service are ready, then prints the URL. Part of `make run`."""

from __future__ import annotations

import os
import signal
import sys
import time

import httpx

from devtools.demo_councils import COUNCILS, SECURITY_CODE
from devtools.envfile import load_dev_env

SERVICES = ("identity", "actuals", "payments", "claims", "messaging", "reports")


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def main() -> None:
    env = load_dev_env()
    url = env.get("PORTAL_URL", "http://localhost:8000")
    # The gateway's readiness is its own (a service down degrades only its pages), so each is asked.
    probes = [f"http://127.0.0.1:{env.get('GATEWAY_HTTP_PORT', '8000')}/readyz"] + [
        f"http://127.0.0.1:{env[f'{name.upper()}_HTTP_PORT']}/readyz"
        for name in SERVICES
        if f"{name.upper()}_HTTP_PORT" in env
    ]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        probes = [probe for probe in probes if not _ready(probe)]
        if not probes:
            break
        time.sleep(0.5)
    else:
        print("Provider Portal did not become ready within 2 minutes; see the logs above.", flush=True)
        sys.exit(1)
    print(f"\n  Provider Portal is running at {url}\n", flush=True)
    print(demo_logins(url), flush=True)
    print("  Press Ctrl-C to stop.\n", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass


def demo_logins(url: str) -> str:
    """The demo logins and council client credentials (docs/demo.md), reset by every `make run`."""
    lines = [f"  Demo logins (security code {SECURITY_CODE} unless it is a first login; docs/demo.md):"]
    for council in COUNCILS:
        lines.append(f"    {council.slug}  ({url}/{council.slug}/)")
        for user in council.users:
            lines.append(f"      {user.email:<38} {user.password:<22} {user.what}")
        lines.append(f"      client credentials: {council.client_id} / {council.client_secret}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
