"""`make new-service`: the new service has the shape of the others, is registered where they are, and
runs (it imports, migrates, and its health and organisations routes answer)."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.envfile import ROOT, read_dev_env
from devtools.new_service import main
from devtools.services import SERVICES, service_names
from shared import db
from shared.service import create_api, run_migrations
from tests.support.environment import ADMIN_DSN
from tests.support.inprocess import serve

NAME = "widgets"
REGISTRIES = ["pyproject.toml", "Procfile", "dev.env", "gateway/src/gateway/config.py"]
SHAPE = [
    "pyproject.toml",
    "src/widgets/__init__.py",
    "src/widgets/__main__.py",
    "src/widgets/api/__init__.py",
    "src/widgets/handlers/__init__.py",
    "src/widgets/domain/__init__.py",
    "src/widgets/store/__init__.py",
    "src/widgets/migrations/0001_organisation_projection.sql",
    "src/widgets/consumers.py",
    "src/widgets/config.py",
    "src/widgets/main.py",
]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The files a new service is registered in, and the services' own pyproject.toml, copied."""
    for relative in [*REGISTRIES, *(f"services/{name}/pyproject.toml" for name in SERVICES)]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    return tmp_path


@pytest.fixture
def generated(repo: Path) -> Iterator[Path]:
    """`widgets` made in the copy, importable from it while the test runs."""
    assert main([NAME, "--root", str(repo)]) == 0
    sys.path.insert(0, str(repo / "services" / NAME / "src"))
    try:
        yield repo
    finally:
        sys.path.remove(str(repo / "services" / NAME / "src"))
        for module in [m for m in sys.modules if m == NAME or m.startswith(f"{NAME}.")]:
            del sys.modules[module]


def test_the_new_service_has_the_shape_and_is_registered_where_the_others_are(generated: Path):
    service = generated / "services" / NAME
    assert sorted(str(p.relative_to(service)) for p in service.rglob("*") if p.is_file()) == sorted(SHAPE)
    assert service_names(generated) == (*SERVICES, NAME)

    config = tomllib.loads((generated / "pyproject.toml").read_text())
    assert config["project"]["dependencies"][-1] == NAME
    assert config["tool"]["uv"]["sources"][NAME] == {"workspace": True}
    assert config["tool"]["mypy"]["mypy_path"].endswith(f":services/{NAME}/src")
    assert NAME in config["tool"]["ruff"]["lint"]["isort"]["known-first-party"]
    assert NAME in config["tool"]["coverage"]["run"]["source_pkgs"]
    assert config["tool"]["portal"]["coverage-floor"][NAME] == 85
    assert NAME in config["tool"]["importlinter"]["root_packages"]
    for contract in config["tool"]["importlinter"]["contracts"]:
        listed = contract.get("modules") or contract.get("forbidden_modules") or contract.get("containers")
        assert NAME in listed, contract["name"]

    procfile = (generated / "Procfile").read_text().splitlines()
    assert (
        f"{NAME}: python -m {NAME} api" in procfile and f"{NAME}-worker: python -m {NAME} worker" in procfile
    )

    before, after = read_dev_env(ROOT / "dev.env"), read_dev_env(generated / "dev.env")
    added = {k: v for k, v in after.items() if k not in before}
    assert added == {
        "WIDGETS_ENVIRONMENT": "development",
        "WIDGETS_HTTP_PORT": "8007",
        "WIDGETS_METRICS_PORT": "9107",
        "WIDGETS_WORKER_PORT": "9117",
        "WIDGETS_TOKEN_JWKS_URL": before["REPORTS_TOKEN_JWKS_URL"],
    }
    ports = [v for k, v in after.items() if k.endswith("_PORT")]
    assert len(ports) == len(set(ports)), "two processes on one port"

    gateway = _load(generated / "gateway/src/gateway/config.py", "generated_gateway_config")
    assert (*SERVICES, NAME) == gateway.SERVICES
    assert gateway.Settings(environment="test").upstreams()[NAME] == "http://127.0.0.1:8007"


def test_the_new_service_passes_the_linters_as_written(generated: Path):
    service = generated / "services" / NAME
    for command in (["check", str(service)], ["format", "--check", str(service)]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=generated, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Widgets", "lowercase letters and digits"),
        ("9lives", "starting with a letter"),
        ("w", "2 to 31"),
        ("care-plans", "lowercase letters and digits"),
        ("class", "taken by Python or by this repository"),
        ("json", "taken by Python or by this repository"),
        ("gateway", "taken by Python or by this repository"),
        ("fastapi", "a package of that name is installed"),
        ("reports", "there is already a service called 'reports'"),
    ],
)
def test_a_name_that_cannot_be_a_services_is_refused_and_nothing_is_written(repo, capsys, name, why):
    before = _fingerprint(repo)
    assert main([name, "--root", str(repo)]) == 2
    assert why in capsys.readouterr().err
    assert _fingerprint(repo) == before


def test_a_registry_laid_out_otherwise_is_refused_before_anything_is_written(repo, capsys):
    procfile = repo / "Procfile"
    procfile.write_text(procfile.read_text().replace("reports-worker:", "reports-workers:"))
    before = _fingerprint(repo)
    assert main([NAME, "--root", str(repo)]) == 2
    assert "nothing was written" in capsys.readouterr().err
    assert _fingerprint(repo) == before


async def test_the_new_service_migrates_and_its_routes_answer(env, authority, generated: Path):
    definition = importlib.import_module(f"{NAME}.main").DEFINITION
    service_db = db.ServiceDatabase.from_dsn(schema=NAME, dsn=env.dsn(NAME))
    await db.bootstrap(ADMIN_DSN, [service_db])
    try:
        settings = env.settings(definition)
        assert "platform/0001_outbox_inbox.sql" in await run_migrations(definition, settings)
        async with serve(create_api(definition, settings)) as api:
            assert (await api.get("/healthz")).status_code == 200
            ready = await api.get("/readyz")
            assert ready.status_code == 200, ready.text
            token = env.token(authority_id=authority, organisation_id=authority)
            listed = await api.get(
                f"/api/v1/{NAME}/organisations", headers={"authorization": f"Bearer {token}"}
            )
            assert (listed.status_code, listed.json()) == (200, [])
            anonymous = await api.get(f"/api/v1/{NAME}/organisations")
            assert anonymous.status_code == 401
    finally:
        await _drop(env, service_db)


async def _drop(env, service_db: db.ServiceDatabase) -> None:
    """The schema and the role of the made service (the run's database goes with the run)."""
    conn = await db.connect(db.with_database(ADMIN_DSN, env.database))
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {db.ident(NAME)} CASCADE")
        await conn.execute(f"DROP OWNED BY {db.ident(service_db.role)} CASCADE")
    finally:
        await conn.close()
    admin = await db.connect(db.with_database(ADMIN_DSN, "postgres"))
    try:
        await admin.execute(f"DROP ROLE IF EXISTS {db.ident(service_db.role)}")
    finally:
        await admin.close()


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fingerprint(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }
