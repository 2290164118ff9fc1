"""No test depends on `make run`'s ports or settings: the run holds them (tests/conftest.py)."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import httpx

from tests.support.decoy_ports import MAKE_RUN_PORTS, decoys
from tests.support.inprocess import free_port
from tests.support.stack import PROCESS_PREFIXES


def test_the_decoys_hold_every_port_of_make_run_that_is_free_and_leave_a_busy_one_alone():
    # Not the run's own decoys: another run beside this one may hold some of make run's ports for a while.
    taken, free = socket.socket(), socket.socket()
    with taken, free:
        taken.bind(("127.0.0.1", 0))
        taken.listen()  # as `make run` (or another test run) would hold it
        free.bind(("127.0.0.1", 0))
        ports = [taken.getsockname()[1], free.getsockname()[1]]
        free.close()
        with decoys(ports) as held:
            assert held == [ports[1]]
            for port in ports:
                with socket.socket() as sock:
                    assert sock.connect_ex(("127.0.0.1", port)) == 0, f"port {port} is free"


def test_make_run_ports_include_every_port_dev_env_gives_a_process():
    dev_env = (Path(__file__).resolve().parents[2] / "dev.env").read_text()
    ports = {int(port) for port in re.findall(r"^[A-Z_]+_PORT=(\d+)$", dev_env, flags=re.MULTILINE)}
    assert ports and ports <= set(MAKE_RUN_PORTS), sorted(ports - set(MAKE_RUN_PORTS))


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


def test_free_ports_come_from_the_workers_own_block_below_the_ephemeral_range_never_twice():
    # Outgoing connections take ports of the ephemeral range: a port handed out there could be taken
    # between the hand-out and the service's bind.
    low, _high = (int(n) for n in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(port < low for port in ports), ports
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    first = 20000 + int(worker) % 6 * 2000
    assert all(first <= port < first + 2000 for port in ports), (worker, ports)


def test_a_port_someone_listens_on_is_never_handed_out():
    ports = [free_port() for _ in range(3)]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports[-1] + 1))  # the next in the block, unless the block wraps there
        busy.listen()
        assert busy.getsockname()[1] not in [free_port() for _ in range(5)]
