"""Where a service is registered outside its own folder, and the edits that add one (`make new-service`).

Each edit is textual, so the files keep their layout and comments, and each is checked after it is made:
pyproject.toml is parsed again and must differ only by the new service, the gateway's settings must still
compile. An edit that cannot find its place stops with what to do by hand, before anything is written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.envfile import parse_dev_env

GATEWAY_CONFIG = Path("gateway/src/gateway/config.py")
FIRST_COVERAGE_FLOOR = 85  # docs/testing.md: no floor under 85; a new service has no figure to hold yet


class CannotRegister(Exception):
    """A file is not laid out as expected: the service must be registered there by hand."""


@dataclass(frozen=True)
class Ports:
    http: int
    metrics: int
    worker: int


def pyproject(text: str, *, name: str, services: tuple[str, ...]) -> str:
    """The root pyproject.toml with `name` wherever the services are listed: every array that lists them
    all (dependencies, first-party packages, coverage sources, the import contracts), the workspace
    sources, mypy's path and the coverage floors."""
    last = services[-1]
    edited = _append_to_arrays(text, name=name, services=services)
    edited = _insert_after(
        edited, rf"^{last} = \{{ workspace = true \}}$", f"{name} = {{ workspace = true }}"
    )
    edited, found = re.subn(r'^(mypy_path = ".*)"$', rf'\1:services/{name}/src"', edited, count=1, flags=re.M)
    if not found:
        raise CannotRegister("pyproject.toml: no mypy_path to add the service's src folder to")
    floors = edited.index("[tool.portal.coverage-floor]")
    head, tail = edited[:floors], edited[floors:]
    tail = _insert_after(tail, rf"^{last} = \d+.*$", f"{name} = {FIRST_COVERAGE_FLOOR}  # a new service")
    edited = head + tail
    _check_pyproject(tomllib.loads(text), tomllib.loads(edited), name=name, services=services)
    return edited


def _append_to_arrays(text: str, *, name: str, services: tuple[str, ...]) -> str:
    def add(match: re.Match[str]) -> str:
        head, body = match.group("head"), match.group("body")
        items = re.findall(r'"([^"]*)"', body)
        if not set(services) <= set(items):
            return match.group(0)
        last_item = list(re.finditer(r'"[^"]*"', body))[-1]
        if "\n" not in body:  # ["a", "b"] on one line
            return f'{head}{body[: last_item.end()]}, "{name}"{body[last_item.end() :]}]'
        line_start = body.rfind("\n", 0, last_item.start()) + 1
        indent = re.match(r"[ \t]*", body[line_start:])
        after = body[last_item.end() :]
        if not after.lstrip(" ").startswith(","):
            after = "," + after
        end_of_line = after.find("\n") if "\n" in after else len(after)
        new_item = f'\n{indent.group(0) if indent else ""}"{name}",'
        return f"{head}{body[: last_item.end()]}{after[:end_of_line]}{new_item}{after[end_of_line:]}]"

    return re.sub(r'(?P<head>^[\w."-]+\s*=\s*\[)(?P<body>[^\]]*)\]', add, text, flags=re.M)


def _insert_after(text: str, line_pattern: str, new_line: str) -> str:
    match = re.search(line_pattern, text, flags=re.M)
    if match is None:
        raise CannotRegister(f"no line matching {line_pattern!r} to add {new_line!r} after")
    return f"{text[: match.end()]}\n{new_line}{text[match.end() :]}"


def _check_pyproject(before: Any, after: Any, *, name: str, services: tuple[str, ...], at: str = "") -> None:
    """`after` is `before` with `name` appended to each list of all the services, and the table entries
    added; nothing else changed."""
    if isinstance(before, dict) and isinstance(after, dict):
        added = set(after) - set(before)
        if added - {name} or set(before) - set(after):
            raise CannotRegister(f"pyproject.toml: unexpected keys changed under {at or 'the top'}")
        for key, value in before.items():
            _check_pyproject(value, after[key], name=name, services=services, at=f"{at}.{key}")
    elif (
        isinstance(before, list) and all(isinstance(v, str) for v in before) and set(services) <= set(before)
    ):
        if after != [*before, name]:
            raise CannotRegister(f"pyproject.toml: {at} should be the old list and {name!r}")
    elif at.endswith("mypy_path"):
        if after != f"{before}:services/{name}/src":
            raise CannotRegister("pyproject.toml: mypy_path was not extended as expected")
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            _check_pyproject(old, new, name=name, services=services, at=f"{at}[{index}]")
    elif before != after:
        raise CannotRegister(f"pyproject.toml: {at} changed, and it should not have")


def procfile(text: str, *, name: str, services: tuple[str, ...]) -> str:
    """The API and the worker of `name`, after those of the last service."""
    last = services[-1]
    return _insert_after(
        text, rf"^{last}-worker: .*$", f"{name}: python -m {name} api\n{name}-worker: python -m {name} worker"
    )


def next_ports(dev_env: dict[str, str]) -> Ports:
    """One past the highest of each kind, skipping any port dev.env already gives anything."""
    taken = {int(v) for k, v in dev_env.items() if k.endswith("_PORT") and v.isdigit()}

    def after(suffix: str) -> int:
        port = max(int(v) for k, v in dev_env.items() if k.endswith(suffix) and k != f"GATEWAY{suffix}") + 1
        while port in taken:
            port += 1
        taken.add(port)
        return port

    return Ports(http=after("_HTTP_PORT"), metrics=after("_METRICS_PORT"), worker=after("_WORKER_PORT"))


def dev_env(text: str, *, name: str, services: tuple[str, ...], ports: Ports) -> str:
    """The new service's lines beside the last service's: environment, ports, where its tokens' keys are."""
    last, prefix = services[-1].upper(), name.upper()
    jwks = parse_dev_env(text).get(f"{last}_TOKEN_JWKS_URL")
    if jwks is None:
        raise CannotRegister(f"dev.env: no {last}_TOKEN_JWKS_URL to copy")
    for setting, value in [
        ("ENVIRONMENT", "development"),
        ("HTTP_PORT", str(ports.http)),
        ("METRICS_PORT", str(ports.metrics)),
        ("WORKER_PORT", str(ports.worker)),
        ("TOKEN_JWKS_URL", jwks),
    ]:
        text = _insert_after(text, rf"^{last}_{setting}=.*$", f"{prefix}_{setting}={value}")
    return text


def gateway_config(text: str, *, name: str, services: tuple[str, ...], port: int) -> str:
    """The gateway proxies /api/v1/<name>/** to `<name>_url`: the name in its list and the setting."""
    edited, found = re.subn(r"^(SERVICES = \(.*)\)$", rf'\1, "{name}")', text, count=1, flags=re.M)
    if not found:
        raise CannotRegister(f"{GATEWAY_CONFIG}: no one-line SERVICES = (...) to add the service to")
    field = (
        f'    {name}_url: str = Field("http://127.0.0.1:{port}", description="base URL of the {name} API")'
    )
    edited = _insert_after(edited, rf"^    {services[-1]}_url: str = Field\(.*\)$", field)
    compile(edited, str(GATEWAY_CONFIG), "exec")
    return edited
