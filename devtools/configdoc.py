"""`make config-doc`: write docs/configuration.md from the settings classes (a test keeps it current)."""

from __future__ import annotations

import importlib

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from devtools.envfile import ROOT
from devtools.services import SERVICES

PROCESSES = ("gateway", *SERVICES)
HEADER = """# Configuration

Every process reads its settings from environment variables with its own prefix (`IDENTITY_`,
`ACTUALS_`, ..., `GATEWAY_`). A missing or malformed setting stops the process at start-up with one
line naming it. `*_ENVIRONMENT` has no default: every process names it. Secrets are never logged;
outside `development` and `test`, a development key or secret (any value committed in the code) is
refused. `make run` reads `dev.env` (variables already set in the environment win).

This page is generated from the settings classes by `make config-doc`; do not edit it by hand.
"""


def settings_classes() -> dict[str, type[BaseSettings]]:
    classes = {}
    for name in PROCESSES:
        module = importlib.import_module(f"{name}.config")
        classes[name] = module.Settings
    return classes


def render() -> str:
    parts = [HEADER]
    for name, cls in settings_classes().items():
        prefix = str(cls.model_config.get("env_prefix", ""))
        parts.append(f"\n## {name}\n\n| variable | default | secret | description |\n|---|---|---|---|")
        for field_name, field in cls.model_fields.items():
            default = field.default
            secret = "yes" if "SecretStr" in str(field.annotation) else ""
            if field.default_factory is list:  # nothing, rather than a development key kept from the reader
                shown = "(empty)"
            elif isinstance(default, SecretStr):
                shown = "(development default)"
            elif default is None or repr(default) == "PydanticUndefined":
                shown = "—"
            else:
                shown = f"`{getattr(default, 'value', default)}`"
            description = (field.description or "").replace("|", "\\|")
            parts.append(f"| `{prefix}{field_name.upper()}` | {shown} | {secret} | {description} |")
    return "\n".join(parts) + "\n"


def main() -> None:
    (ROOT / "docs" / "configuration.md").write_text(render())


if __name__ == "__main__":
    main()
