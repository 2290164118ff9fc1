"""The files on the stack share one unit of work of `make test`'s workers; every other file is its own."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.scheduling import STACK_UNIT, unit_of

TESTS = Path(__file__).resolve().parents[1]


def test_every_browser_and_end_to_end_test_is_in_the_stack_unit():
    assert unit_of("tests/browser/test_pages.py::test_home[phone]") == STACK_UNIT
    assert unit_of("tests/e2e/test_api_fuzz.py::test_no_operation_answers_5xx") == STACK_UNIT


def test_any_other_test_is_grouped_by_its_file():
    assert (
        unit_of("tests/actuals/unit/test_costs.py::test_rounding[a::b]") == "tests/actuals/unit/test_costs.py"
    )
    assert unit_of("tests/browser_support/test_x.py::test_y") == "tests/browser_support/test_x.py"


def test_no_file_outside_the_stack_unit_asks_for_the_stack():
    """A test or fixture elsewhere that took `stack` would start a second stack on the other worker."""
    offenders = []
    for path in [*TESTS.rglob("test_*.py"), *TESTS.rglob("conftest.py")]:  # tests and fixtures
        relative = path.relative_to(TESTS.parent).as_posix()
        if unit_of(relative) == STACK_UNIT:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "stack" in {
                a.arg for a in node.args.args
            }:
                offenders.append(f"{relative}::{node.name}")
    assert offenders == []


def test_the_check_above_finds_a_test_on_the_stack():
    tree = ast.parse("async def test_x(stack, env): ...")
    assert [n.args.args[0].arg for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef)] == ["stack"]
