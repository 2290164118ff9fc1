"""`make new-service NAME=<name>`: a new service with the shape of the others, registered where they are.

It writes services/<name>/ from devtools/templates/service/ (api/, handlers/, domain/, store/,
consumers.py, config.py, main.py, migrations/: what each holds is said in docs/new-service.md), then
adds the service to the root pyproject.toml (dependency, workspace source, mypy path, first-party
packages, coverage, import contracts), the Procfile, dev.env (next free ports) and the gateway's list of
upstreams. Every edit is prepared and checked before any file is written, so a refusal leaves the tree
as it was. `make new-service` then runs `uv sync` (the new workspace member into uv.lock and the
environment) and `make config-doc`.

    python -m devtools.new_service <name> [--root DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import keyword
import re
import subprocess
import sys
from pathlib import Path
from string import Template

from devtools import registration
from devtools.envfile import ROOT, parse_dev_env
from devtools.services import service_names

TEMPLATES = Path(__file__).resolve().parent / "templates" / "service"
PACKAGE_PLACEHOLDER = "__service__"
NAME = re.compile(r"^[a-z][a-z0-9]{1,30}$")  # a package, a schema, a role, an env prefix and a URL part
RESERVED = {"shared", "gateway", "devtools", "bench", "tests", "scripts", "docs", "public", "portal"}


class Refused(Exception):
    """The name cannot be a service's, or the repository is not laid out as expected."""


def check_name(name: str, *, existing: tuple[str, ...]) -> None:
    if not NAME.match(name):
        raise Refused(
            f"{name!r} cannot name a service: use 2 to 31 lowercase letters and digits, starting with a"
            " letter (it becomes the package, the schema, the role, the URL part and the settings prefix)"
        )
    if keyword.iskeyword(name) or name in RESERVED or name in sys.stdlib_module_names:
        raise Refused(f"{name!r} cannot name a service: it is taken by Python or by this repository")
    if name in existing:
        raise Refused(f"there is already a service called {name!r}")
    if importlib.util.find_spec(name) is not None:
        raise Refused(f"{name!r} cannot name a service: a package of that name is installed")


def service_files(name: str) -> dict[Path, str]:
    """Each file of the new service (relative to the repository), from the templates."""
    values = {"name": name, "title": name.capitalize(), "prefix": name.upper()}
    files = {}
    for template in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
        relative = template.relative_to(TEMPLATES)
        parts = [name if part == PACKAGE_PLACEHOLDER else part for part in relative.parts]
        target = Path("services", name, *parts)
        if target.suffix == ".tmpl":
            files[target.with_suffix("")] = Template(template.read_text()).substitute(values)
        else:
            files[target] = template.read_text()
    return files


def registered_files(root: Path, name: str, services: tuple[str, ...]) -> dict[Path, str]:
    """The files outside the service that list the services, each with the new one added."""

    def read(path: Path) -> str:
        return (root / path).read_text()

    ports = registration.next_ports(parse_dev_env(read(Path("dev.env"))))
    return {
        Path("pyproject.toml"): registration.pyproject(
            read(Path("pyproject.toml")), name=name, services=services
        ),
        Path("Procfile"): registration.procfile(read(Path("Procfile")), name=name, services=services),
        Path("dev.env"): registration.dev_env(
            read(Path("dev.env")), name=name, services=services, ports=ports
        ),
        registration.GATEWAY_CONFIG: registration.gateway_config(
            read(registration.GATEWAY_CONFIG), name=name, services=services, port=ports.http
        ),
    }


def create_service(name: str, *, root: Path = ROOT) -> list[Path]:
    """Write the service and its registrations under `root`; answer the paths written."""
    services = service_names(root)
    check_name(name, existing=services)
    if (root / "services" / name).exists():
        raise Refused(f"services/{name} already exists")
    try:
        changes = {**service_files(name), **registered_files(root, name, services)}
    except registration.CannotRegister as exc:
        raise Refused(f"{exc}; nothing was written") from exc
    for path, text in changes.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    tidy(root / "services" / name, root=root)
    return sorted(changes)


def tidy(folder: Path, *, root: Path) -> None:
    """The imports of the new package in the order ruff wants (it depends on the name: `actuals` sorts
    before `shared`, `widgets` after), with the repository's own settings."""
    for command in (["check", "--fix", "--quiet", "--select", "I"], ["format", "--quiet"]):
        subprocess.run([sys.executable, "-m", "ruff", *command, str(folder)], cwd=root, check=True)  # noqa: S603 (our own ruff on a folder we made)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="new_service", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the service's name: lowercase letters and digits")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this one)")
    args = parser.parse_args(argv)
    try:
        written = create_service(args.name, root=args.root)
    except Refused as exc:
        print(f"new-service: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"new-service: wrote {path}")
    print(
        f"new-service: next: what services/{args.name} owns in README.md's table, its first migration in"
        f" services/{args.name}/src/{args.name}/migrations/, its routes in api/ (docs/new-service.md)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
