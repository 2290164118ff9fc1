"""Migrations ship with the packages: a non-editable install of `shared` and a service, away from the
source tree, migrates a scratch database (issue 9, item 14)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import asyncpg

from shared import db
from tests.support.environment import ADMIN_DSN, RunEnvironment, rabbitmqctl

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "reports"  # has its own migrations besides the platform's


def uv() -> str:
    found = shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    assert Path(found).exists(), "uv is needed to build the wheels"
    return found


def run(*command: str, cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"


def installed_venv(tmp_path: Path) -> Path:
    """A fresh venv with wheels of shared and the service (no source tree on its path); their
    dependencies come from the project's environment through a .pth line, so no network is needed."""
    wheels = tmp_path / "wheels"
    for package in ("shared", SERVICE):
        run(uv(), "build", "--offline", "--wheel", "--package", package, "--out-dir", str(wheels), cwd=ROOT)
    venv = tmp_path / "venv"
    run(uv(), "venv", "--offline", "--python", sys.executable, str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    run(
        uv(),
        "pip",
        "install",
        "--offline",
        "--no-deps",
        "--python",
        str(python),
        *map(str, wheels.glob("*.whl")),
        cwd=tmp_path,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # A plain path line: the project's editable .pth files there are not processed, so the installed
    # wheels, not the source tree, provide shared and the service.
    Path(site, "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


async def test_a_non_editable_install_runs_its_migrations(tmp_path: Path) -> None:
    python = installed_venv(tmp_path)
    where = subprocess.run(
        [
            str(python),
            "-c",
            f"import shared.migrations, {SERVICE}; print({SERVICE}.__file__, shared.migrations.__file__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT) not in where and str(tmp_path / "venv") in where, where

    scratch = RunEnvironment(run_id=secrets.token_hex(4))
    databases = [db.ServiceDatabase.from_dsn(schema=SERVICE, dsn=scratch.dsn(SERVICE))]
    await db.bootstrap(ADMIN_DSN, databases)
    await rabbitmqctl("add_vhost", scratch.vhost)  # migrate declares the service's queues there
    await rabbitmqctl("set_permissions", "-p", scratch.vhost, "guest", ".*", ".*", ".*")
    try:
        prefix = SERVICE.upper() + "_"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(prefix)}
        result = subprocess.run(
            [str(python), "-m", SERVICE, "migrate"],
            cwd=tmp_path,
            env={
                **clean,
                f"{prefix}ENVIRONMENT": "test",
                f"{prefix}DATABASE_URL": scratch.dsn(SERVICE),
                f"{prefix}AMQP_URL": scratch.amqp_url,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        conn = await asyncpg.connect(scratch.dsn(SERVICE))
        try:
            applied = {r["name"] for r in await conn.fetch(f"SELECT name FROM {SERVICE}.schema_migrations")}
            report_runs = await conn.fetchval("SELECT to_regclass($1)", f"{SERVICE}.report_run")
        finally:
            await conn.close()
        assert {"platform/0001_outbox_inbox.sql", "0001_report_runs.sql"} <= applied, applied
        assert report_runs is not None
    finally:
        await rabbitmqctl("delete_vhost", scratch.vhost)
        await db.drop_everything(ADMIN_DSN, databases)
