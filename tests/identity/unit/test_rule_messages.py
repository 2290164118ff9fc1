"""identity's refusal of a password or security code, said as sentences whatever each rule's wording."""

from __future__ import annotations

from identity.domain.rules import RuleFailure
from identity.errors import rules_failed


def test_each_failed_rule_is_a_sentence_of_its_own():
    refused = rules_failed(
        "new_password",
        "new password",
        [
            RuleFailure("length", "must be at least 12 characters long"),
            RuleFailure("confirmation", "the two passwords you typed are not the same"),
        ],
    )
    assert refused.detail == (
        "The new password must be at least 12 characters long. The two passwords you typed are not the same."
    )
    code = rules_failed(
        "new_code", "security code", [RuleFailure("digit_repeats", "no digit may appear twice")]
    )
    assert code.detail == "No digit may appear twice."
