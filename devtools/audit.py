"""`make audit` (part of `make test`): the locked dependencies against PyPI's vulnerability service.

Exits 1 when a locked package has a known vulnerability. When the service cannot be reached, or cannot
answer for some packages (a registry mirror without PyPI's JSON API answers "not found"), it prints a
warning naming how many packages went unaudited and exits 0: `make test` does not go red for the
network alone, and does not claim a clean audit it did not do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.envfile import ROOT

UV = os.environ.get("UV", "uv")  # `uv run` names itself here
NETWORK_ERRORS = ("ConnectionError", "ConnectTimeout", "ReadTimeout", "Max retries", "resolve", "timed out")


@dataclass(frozen=True)
class Verdict:
    failed: bool
    lines: list[str]


def judge(report: dict[str, Any] | None, *, returncode: int, stderr: str) -> Verdict:
    """What pip-audit's JSON report (None when it wrote none) means for the build."""
    if report is None:
        if any(marker in stderr for marker in NETWORK_ERRORS):
            return Verdict(
                False, [f"warning: vulnerability service unreachable, nothing audited: {_last(stderr)}"]
            )
        return Verdict(True, [f"pip-audit failed ({returncode}): {_last(stderr)}"])
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = [
        f"{d['name']} {d.get('version', '')}: {v['id']} (fixed in {', '.join(v.get('fix_versions', [])) or 'no release'})"
        for d in vulnerable
        for v in d["vulns"]
    ]
    if skipped:
        lines.append(
            f"warning: {len(skipped)} of {len(dependencies)} packages not audited"
            f" (vulnerability service unreachable?): {skipped[0]['skip_reason']}"
        )
    audited = len(dependencies) - len(skipped)
    if not vulnerable:
        lines.append(f"no known vulnerability in {audited} audited packages")
    return Verdict(bool(vulnerable), lines)


def _last(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        requirements, output = Path(tmp) / "requirements.txt", Path(tmp) / "audit.json"
        export = [UV, "export", "--frozen", "--all-groups", "--no-emit-workspace", "--quiet"]
        export += ["--format", "requirements-txt", "--output-file", str(requirements)]
        subprocess.run(export, cwd=ROOT, check=True)  # noqa: S603 (our own fixed command)
        audit = [sys.executable, "-m", "pip_audit", "--requirement", str(requirements), "--disable-pip"]
        audit += ["--vulnerability-service", "pypi", "--format", "json", "--output", str(output)]
        audit += ["--progress-spinner", "off", "--timeout", "20"]
        result = subprocess.run(audit, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
        report = json.loads(output.read_text()) if output.exists() and output.stat().st_size else None
    verdict = judge(report, returncode=result.returncode, stderr=result.stderr)
    print("\n".join(f"audit: {line}" for line in verdict.lines))
    sys.exit(1 if verdict.failed else 0)


if __name__ == "__main__":
    main()
