"""Reading dev.env: KEY=VALUE lines; variables already in the environment win."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def read_dev_env(path: Path = ROOT / "dev.env") -> dict[str, str]:
    """The file's values alone (the environment neither read nor changed)."""
    return parse_dev_env(path.read_text())


def parse_dev_env(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def load_dev_env(path: Path = ROOT / "dev.env") -> dict[str, str]:
    merged = {**read_dev_env(path), **os.environ}
    os.environ.update(merged)
    return merged
