"""`make test` fails when a package's branch coverage is under its floor (devtools/coverage_floor.py)."""

from __future__ import annotations

from devtools.coverage_floor import SOURCES, floors, under_floor
from devtools.services import SERVICES


def test_every_package_has_a_floor_and_a_source_folder():
    assert set(floors()) == set(SOURCES) == {"shared", "gateway", *SERVICES}


def test_a_package_under_its_floor_fails_and_one_at_it_passes():
    floor = {"shared": 85.0, "identity": 71.4}
    assert under_floor({"shared": 84.99, "identity": 71.4}, floor) == ["shared"]
    assert under_floor({"shared": 85.0, "identity": 71.46}, floor) == []
    assert under_floor({"shared": 90.0}, floor) == ["identity"]  # not measured at all is 0
