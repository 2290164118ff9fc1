"""What the benchmarks read of processes from /proc: CPU seconds (of one process, of groups of processes
between two snapshots, of the whole machine), peak resident memory, processes by command name."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def peak_mb(pid: int) -> float:
    """A process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def process_cpu(pid: int) -> float:
    """A process's user + system CPU seconds (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def pids_named(*names: str) -> list[int]:
    """Every process of the machine whose command is one of `names` (PostgreSQL's, RabbitMQ's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def machine_busy() -> float:
    """The machine's busy CPU seconds so far, all cores (/proc/stat: all but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / TICK


@dataclass
class CpuSnapshot:
    at: float
    seconds: dict[str, dict[int, float]]  # each group's CPU seconds by process


class CpuMeter:
    """CPU seconds of groups of processes between two snapshots, as cores (seconds per wall second). A
    group's processes are looked for at each snapshot and those alive at both count: PostgreSQL's
    backends of the run's pools and workers live throughout; those of other sessions' tests come and go
    (their CPU is in the machine's, with the rest)."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups

    def snapshot(self) -> CpuSnapshot:
        seen = {name: {pid: process_cpu(pid) for pid in pids()} for name, pids in self.groups.items()}
        own = os.times()
        seen["bench process"] = {0: own.user + own.system}
        seen["machine"] = {0: machine_busy()}
        return CpuSnapshot(time.perf_counter(), seen)

    @staticmethod
    def cores(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
        wall = after.at - before.at
        return {
            name: sum(
                cpu - before.seconds[name][pid] for pid, cpu in now.items() if pid in before.seconds[name]
            )
            / wall
            for name, now in after.seconds.items()
        }
