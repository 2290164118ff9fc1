"""Security-code rules, exactly as the seeds give them (seeds 000 and 003, DOMAIN.md):

- exactly 6 digits, only 0-9;
- different from the previous code;
- no digit more than 4 times;
- no run of more than three consecutive digits up or down ("1234" and "4321" are refused, so
  "123456" is refused and "123567" allowed).

Each later login asks for two random, distinct positions of the code ("2nd and 5th").
"""

from __future__ import annotations

import hmac
import itertools
import random
from collections import Counter

from identity.domain.rules import RuleFailure

LENGTH = 6
DIGITS = frozenset("0123456789")
MAX_REPEATS = 4
MAX_RUN = 3
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", 6: "6th"}


def longest_run(code: str) -> int:
    """Length of the longest stretch of digits that go up, or down, by one each step."""
    best = run_up = run_down = 1 if code else 0
    for prev, cur in itertools.pairwise(code):
        if prev in DIGITS and cur in DIGITS:
            step = int(cur) - int(prev)
            run_up = run_up + 1 if step == 1 else 1
            run_down = run_down + 1 if step == -1 else 1
        else:
            run_up = run_down = 1
        best = max(best, run_up, run_down)
    return best


def check_code(code: str, *, previous: str | None = None) -> list[RuleFailure]:
    """Every rule `code` breaks (empty when it is acceptable)."""
    failures = []
    if len(code) != LENGTH:
        failures.append(RuleFailure("length", f"must be exactly {LENGTH} digits"))
    if not set(code) <= DIGITS or not code:
        failures.append(RuleFailure("only_digits", "must contain only the digits 0 to 9"))
    if previous is not None and hmac.compare_digest(code.encode(), previous.encode()):
        failures.append(RuleFailure("differs_from_previous", "must be different from your previous code"))
    repeated = [d for d, n in Counter(c for c in code if c in DIGITS).items() if n > MAX_REPEATS]
    if repeated:
        failures.append(RuleFailure("digit_repeats", f"no digit may appear more than {MAX_REPEATS} times"))
    if longest_run(code) > MAX_RUN:
        failures.append(
            RuleFailure(
                "consecutive_run",
                f"must not contain more than {MAX_RUN} consecutive digits up or down (like 1234 or 4321)",
            )
        )
    return failures


def mismatch() -> RuleFailure:
    return RuleFailure("confirmation", "the two codes you typed are not the same")


def pick_positions(rng: random.Random) -> tuple[int, int]:
    """Two distinct positions, 1-based, in ascending order. Pass `random.SystemRandom()` in production."""
    first, second = sorted(rng.sample(range(1, LENGTH + 1), 2))
    return first, second


def describe_positions(positions: tuple[int, ...]) -> str:
    return " and ".join(ORDINALS[p] for p in positions)


def answer_matches(code: str, positions: tuple[int, ...], answer: tuple[str, ...]) -> bool:
    """Whether `answer` gives the digits of `code` at `positions`, compared in constant time."""
    if len(code) != LENGTH or len(answer) != len(positions) or not positions:
        return False
    expected = "".join(code[p - 1] for p in positions).encode()
    given = "".join(answer).encode()
    return hmac.compare_digest(expected, given)


def describe() -> list[str]:
    """The rules as a user would read them (the help page, the form)."""
    return [
        f"exactly {LENGTH} digits, only the numbers 0 to 9",
        "different from your previous code",
        f"no digit more than {MAX_REPEATS} times",
        f"no run of more than {MAX_RUN} digits in a row going up or down (123567 is fine, 123456 is not)",
    ]
