"""What a render worker tells Prometheus (on /metrics of its `render_port`), beside the backbone's own
figures (shared.bus.metrics) in the same registry.

The figures ops and KEDA scale on:
- queue depth: `consumer_lag_messages{queue="reports.render"}` (the backbone's gauge, measured when
  /metrics is read) and `{queue="reports.render.dlq"}` for the jobs given up on;
- renders per second: `rate(report_renders_total[1m])`, by report, format and outcome (rendered,
  failed, skipped: a job for a run already settled);
- render time by report: the `report_render_seconds` histogram (the render and its storing, not the
  time queued);
- failures: `report_renders_total{outcome="failed"}` and `report_renders_abandoned_total` (runs failed
  because their job was dead-lettered: it kept stopping its worker);
- busy workers: `report_renders_in_progress` (0 or 1 for one worker: prefetch 1).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# From a small directory (tens of ms) to a 100,000-line remittance (minutes).
RENDER_SECONDS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600)


class RenderMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.renders = Counter(
            "report_renders",
            "Render jobs taken, by outcome (rendered, failed, skipped: the run was settled already)",
            ["report", "format", "outcome"],
            registry=registry,
        )
        self.seconds = Histogram(
            "report_render_seconds",
            "Time from taking a render job to its run stored (rendered or failed), by report",
            ["report", "format"],
            buckets=RENDER_SECONDS_BUCKETS,
            registry=registry,
        )
        self.in_progress = Gauge(
            "report_renders_in_progress", "Render jobs this worker holds now", registry=registry
        )
        self.abandoned = Counter(
            "report_renders_abandoned",
            "Runs failed because their render job was dead-lettered (it kept stopping its worker)",
            registry=registry,
        )

    @asynccontextmanager
    async def timing(self, *, report: str, format: str) -> AsyncIterator[RenderOutcome]:
        """Time one render job and count its outcome (the handler sets it); a job that raises (the
        database link broke: the consumer retries it) is counted as `retried`."""
        outcome = RenderOutcome()
        started = time.perf_counter()
        self.in_progress.inc()
        try:
            yield outcome
        except BaseException:
            outcome.value = "retried"
            raise
        finally:
            self.in_progress.dec()
            self.renders.labels(report, format, outcome.value).inc()
            if outcome.value in ("rendered", "failed"):
                self.seconds.labels(report, format).observe(time.perf_counter() - started)


@dataclass
class RenderOutcome:
    value: str = field(default="skipped")
