"""No test depends on `make run`'s ports or settings: the run holds them (tests/conftest.py)."""

from __future__ import annotations

import os
import socket

import httpx

from tests.support.decoy_ports import MAKE_RUN_PORTS
from tests.support.stack import PROCESS_PREFIXES


def test_every_port_of_make_run_is_busy_during_the_run():
    for port in MAKE_RUN_PORTS:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) == 0, f"port {port} is free during the test run"


def test_a_decoy_answers_nothing_a_service_would(make_run_ports_are_busy):
    for port in make_run_ports_are_busy:
        answer = httpx.get(f"http://127.0.0.1:{port}/readyz").json()
        assert "default port" in answer["decoy"]


def test_no_setting_of_the_shell_reaches_a_test():
    # Only the run's own: internal listeners on any free port.
    settings = {name: value for name, value in os.environ.items() if name.startswith(PROCESS_PREFIXES)}
    assert settings and all(name.endswith("_PORT") and value == "0" for name, value in settings.items()), (
        settings
    )
