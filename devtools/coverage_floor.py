"""`make test`'s last step: each package's branch coverage against its floor in pyproject.toml.

Reads the combined data of the run (`coverage combine`), prints one line per package, and exits 1 when
any is under its floor. A floor only ever rises: to the figure a change lands with.
"""

from __future__ import annotations

import io
import sys
import tomllib

import coverage
from coverage.exceptions import NoDataError

from devtools.envfile import ROOT
from devtools.services import SERVICES

SOURCES = {
    "shared": "shared/src/shared",
    "gateway": "gateway/src/gateway",
    **{name: f"services/{name}/src/{name}" for name in SERVICES},
}


def floors() -> dict[str, float]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {name: float(floor) for name, floor in config["tool"]["portal"]["coverage-floor"].items()}


def measured(cov: coverage.Coverage, package: str) -> float:
    try:
        return float(cov.report(include=[f"{ROOT / SOURCES[package]}/*"], file=io.StringIO()))
    except NoDataError:
        return 0.0


def under_floor(figures: dict[str, float], floor: dict[str, float]) -> list[str]:
    """The packages whose figure (rounded down to 0.1, as printed) is under their floor."""
    return [name for name, least in floor.items() if int(figures.get(name, 0.0) * 10) / 10 < least]


def main() -> None:
    cov = coverage.Coverage(data_file=str(ROOT / ".coverage"))
    cov.load()
    floor = floors()
    figures = {name: measured(cov, name) for name in floor}
    for name, figure in figures.items():
        print(f"coverage: {name:<10} {int(figure * 10) / 10:5.1f}% (floor {floor[name]:g}%)")
    failing = under_floor(figures, floor)
    if failing:
        print(f"coverage: under the floor: {', '.join(failing)}")
    sys.exit(1 if failing else 0)


if __name__ == "__main__":
    main()
