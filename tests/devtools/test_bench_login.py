"""`make bench-login` at a tiny size: every scenario runs and is reported (no timing is asserted)."""

from __future__ import annotations

import pytest

from bench import login


@pytest.mark.timeout(300)
async def test_the_login_benchmark_reports_every_scenario(tmp_path):
    tiny = [
        "--logins",
        "4",
        "--concurrency",
        "2",
        "--burst",
        "3",
        "--users",
        "4",
        "--rounds",
        "1",
        "--pause-ms",
        "5",
    ]
    args = login.parse_args([*tiny, "--log-dir", str(tmp_path)])
    report = await login.run(args)
    for scenario in login.SCENARIOS:
        assert f"| {scenario} |" in report, report
    assert "ours: ms per login / ms per argon2id verification = " in report
    assert "load average before the run" in report
