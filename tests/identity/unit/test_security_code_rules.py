"""Every security-code rule with the seeds' own examples (seeds 000, 003, 004; DOMAIN.md)."""

from __future__ import annotations

import random

import pytest

from identity.domain.security_codes import (
    answer_matches,
    check_code,
    describe_positions,
    longest_run,
    pick_positions,
)


def rules(code: str, previous: str | None = None) -> set[str]:
    return {f.rule for f in check_code(code, previous=previous)}


@pytest.mark.parametrize(
    ("code", "previous", "failing"),
    [
        # The seeds' examples.
        ("123456", None, {"consecutive_run"}),
        ("123567", None, set()),
        ("432198", None, {"consecutive_run"}),  # "4321xx"
        ("111112", None, {"digit_repeats"}),  # a digit five times
        ("802417", "802417", {"differs_from_previous"}),
        # Length and characters.
        ("80241", None, {"length"}),
        ("8024179", None, {"length"}),
        ("", None, {"length", "only_digits"}),
        ("80a417", None, {"only_digits"}),
        ("80 417", None, {"only_digits"}),
        ("٨٠٢٤١٧", None, {"only_digits"}),  # Arabic-Indic digits are not 0-9
        # Repeats: four is allowed, five or six is not.
        ("111123", None, set()),
        ("121111", None, {"digit_repeats"}),
        ("000000", None, {"digit_repeats"}),
        # Runs: three is allowed, four (up or down) is not; wrapping 9->0 is not a run.
        ("123901", None, set()),
        ("901234", None, {"consecutive_run"}),
        ("976543", None, {"consecutive_run"}),
        ("987087", None, set()),
        ("890124", None, set()),  # 8-9 then 0-1-2: no wrap-around run
        ("890123", None, {"consecutive_run"}),
        ("135791", None, set()),
        # Several at once are all named.
        ("1234", "1234", {"length", "differs_from_previous", "consecutive_run"}),
        ("aaaaaaa", None, {"length", "only_digits"}),
        # A different code than the previous one is fine.
        ("802417", "802418", set()),
    ],
)
def test_code_rules(code, previous, failing):
    assert rules(code, previous) == failing


@pytest.mark.parametrize(
    ("code", "run"), [("123567", 3), ("123456", 6), ("654321", 6), ("121212", 2), ("1", 1), ("", 0)]
)
def test_longest_run(code, run):
    assert longest_run(code) == run


def test_positions_are_two_distinct_ascending_positions_of_six():
    rng = random.Random(7)
    seen = set()
    for _ in range(500):
        first, second = pick_positions(rng)
        assert 1 <= first < second <= 6
        seen.add((first, second))
    assert len(seen) == 15  # every pair can come up


def test_positions_read_as_ordinals():
    assert describe_positions((2, 5)) == "2nd and 5th"
    assert describe_positions((1, 3)) == "1st and 3rd"


@pytest.mark.parametrize(
    ("positions", "answer", "ok"),
    [
        ((2, 5), ("0", "1"), True),  # 802417: 2nd is 0, 5th is 1
        ((2, 5), ("1", "0"), False),
        ((1, 6), ("8", "7"), True),
        ((1, 6), ("8",), False),
        ((1, 6), ("8", "7", "0"), False),
        ((), (), False),
    ],
)
def test_answer_matches(positions, answer, ok):
    assert answer_matches("802417", positions, answer) is ok
