"""`make audit`: red on a known vulnerability, a warning (not red) when the service cannot answer."""

from __future__ import annotations

from devtools.audit import judge

CLEAN = {"name": "fastapi", "version": "0.1", "vulns": []}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": [], "description": "xss"}],
}
SKIPPED = {"name": "aio-pika", "skip_reason": "Dependency not found on PyPI and could not be audited"}


def test_a_known_vulnerability_fails_naming_package_advisory_and_fix():
    verdict = judge({"dependencies": [CLEAN, VULNERABLE]}, returncode=1, stderr="")
    assert verdict.failed
    assert verdict.lines == ["jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"]


def test_a_clean_audit_passes_and_says_how_many_were_audited():
    verdict = judge({"dependencies": [CLEAN, CLEAN]}, returncode=0, stderr="")
    assert not verdict.failed
    assert verdict.lines == ["no known vulnerability in 2 audited packages"]


def test_packages_the_service_could_not_answer_for_are_a_warning_not_a_clean_bill():
    verdict = judge({"dependencies": [CLEAN, SKIPPED]}, returncode=0, stderr="")
    assert not verdict.failed
    assert verdict.lines[0].startswith("warning: 1 of 2 packages not audited")
    assert verdict.lines[1] == "no known vulnerability in 1 audited packages"


def test_an_unreachable_service_warns_and_any_other_failure_fails():
    offline = judge(None, returncode=1, stderr="requests.exceptions.ConnectionError: Max retries exceeded\n")
    assert not offline.failed and offline.lines[0].startswith("warning: vulnerability service unreachable")
    broken = judge(None, returncode=2, stderr="pip-audit: error: unrecognized arguments: --bogus\n")
    assert broken.failed and "unrecognized arguments" in broken.lines[0]


def test_a_vulnerability_fails_even_when_other_packages_went_unaudited():
    verdict = judge({"dependencies": [SKIPPED, VULNERABLE]}, returncode=1, stderr="")
    assert verdict.failed
