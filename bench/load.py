"""One load run with wrk (a C load generator from Debian's package `wrk`): fixed connections and
duration, one thread, every request the same GET. Its report is parsed for the rate, the latency
percentiles and the failures; the CPU the processes under test used meanwhile is read from /proc.

wrk rather than a Python client: at a thousand requests a second a Python load generator would take a
core of its own on this two-core machine and compete with the processes it measures (wrk uses a few per
cent of one), and it is what issue 10's figures were measured with.
"""

from __future__ import annotations

import asyncio
import re
import resource
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_LATENCY = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_REQUESTS = re.compile(r"(\d+) requests in ([\d.]+)(us|ms|s|m)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")

CpuReader = Callable[[], Awaitable[dict[str, float]]]


@dataclass(frozen=True)
class Load:
    name: str
    requests: int
    seconds: float
    latency_ms: dict[int, float]  # percentile -> ms
    failed: int  # answers not 2xx or 3xx, and socket errors
    cpu: dict[str, float]  # seconds, by process, during the run (wrk included)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def cpu_ms_per_request(self, process: str) -> float:
        return self.cpu[process] / self.requests * 1000


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "wrk is not installed: `make bench-gateway` installs it (Debian's package `wrk`),"
            " or run `apt-get install wrk`"
        )
    return path


def _wrk_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # children waited for: the wrk runs
    return usage.ru_utime + usage.ru_stime


async def wrk(
    name: str,
    url: str,
    *,
    headers: dict[str, str],
    connections: int,
    seconds: float,
    cpu: CpuReader | None = None,
) -> Load:
    """Load `url` for `seconds` with `connections` connections on one thread; wrk's own CPU included."""
    command = [wrk_path(), "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    for header, value in headers.items():
        command += ["-H", f"{header}: {value}"]
    before = await cpu() if cpu else {}
    wrk_before = _wrk_cpu()
    process = await asyncio.create_subprocess_exec(
        *command, url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    used = {"wrk": _wrk_cpu() - wrk_before}
    if cpu:
        after = await cpu()
        used |= {process_name: after[process_name] - before.get(process_name, 0.0) for process_name in after}
    text = out.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{text}")
    return parse(name, text, used)


def parse(name: str, text: str, cpu: dict[str, float]) -> Load:
    """wrk's report (with --latency) as a `Load`."""
    done = _REQUESTS.search(text)
    if done is None:
        raise RuntimeError(f"no request count in wrk's report:\n{text}")
    count, amount, unit = int(done[1]), float(done[2]), done[3]
    seconds = amount * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]
    latency = {int(q): float(value) * UNITS[unit] for q, value, unit in _LATENCY.findall(text)}
    socket = _SOCKET.search(text)
    non_2xx = _NON_2XX.search(text)
    failed = (sum(int(n) for n in socket.groups()) if socket else 0) + (int(non_2xx[1]) if non_2xx else 0)
    return Load(name, count, seconds, latency, failed, cpu)
