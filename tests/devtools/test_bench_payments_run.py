"""`make bench-payments-run` at a tiny size: every scenario runs, with equal totals (no timing asserted)."""

from __future__ import annotations

import pytest

from bench import payments_run


@pytest.mark.timeout(300)
async def test_the_payment_run_benchmark_reports_every_scenario_with_equal_totals():
    args = payments_run.parse_args(["--contracts", "6", "--cplis-per-contract", "3", "--rounds", "1"])
    report = await payments_run.run(args)
    for scenario in payments_run.SCENARIOS:
        assert f"| {scenario} |" in report, report
    assert "totals equal to the penny in every round: True" in report, report
    assert "| 18 |" in report, report  # 6 contracts x 3 CPLIs: one line each
    assert "ours / floor = " in report
