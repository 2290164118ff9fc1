"""identity's problems as the errors of the log-in and account forms."""

from __future__ import annotations

from gateway.identity_client import IdentityError
from gateway.lanes import LaneFull
from gateway.service_problems import lane_full
from gateway.web.identity_errors import UNAVAILABLE, identity_form_errors, problem_text, sentence
from gateway.web.login.pages import ordinal

BASE = "urn:provider-portal:problem:"
LABELS = {"new_password": "The new password", "confirm_password": "The confirmation"}
FIELDS = ("new_password", "confirm_password")


def test_rule_fragments_become_sentences():
    assert sentence("The new password", "must be at least 12 characters long") == (
        "The new password must be at least 12 characters long"
    )
    assert sentence("The confirmation", "the two passwords you typed are not the same") == (
        "The two passwords you typed are not the same"
    )
    assert sentence(None, "Field required.") == "Field required"


def test_every_broken_rule_is_on_its_field_and_confirmation_on_the_confirmation_field():
    exc = IdentityError(
        422,
        {
            "type": BASE + "rules-not-met",
            "title": "Your new password does not meet the rules",
            "errors": [
                {
                    "field": "new_password",
                    "rule": "min_length",
                    "message": "must be at least 12 characters long",
                },
                {
                    "field": "new_password",
                    "rule": "non_letter",
                    "message": "must contain a character that is not a letter",
                },
                {
                    "field": "new_password",
                    "rule": "confirmation",
                    "message": "the two passwords you typed are not the same",
                },
            ],
        },
    )
    errors = identity_form_errors(
        exc, fields=FIELDS, labels=LABELS, confirm={"new_password": "confirm_password"}
    )
    assert [e.message for e in errors.summary] == [
        "The new password must be at least 12 characters long and must contain a character that is not a letter",
        "The two passwords you typed are not the same",
    ]
    assert errors.for_field("confirm_password") == "The two passwords you typed are not the same"


def test_a_lock_is_shown_as_identity_words_it_and_an_outage_plainly():
    locked = IdentityError(
        403,
        {
            "type": BASE + "account-locked",
            "title": "This account is locked",
            "detail": "Contact Telford & Wrekin Council at ECM@telford.gov.uk to unlock it.",
        },
    )
    errors = identity_form_errors(locked, fields=("email", "password"), labels={})
    assert [(e.field, e.message) for e in errors.summary] == [
        (None, "This account is locked. Contact Telford & Wrekin Council at ECM@telford.gov.uk to unlock it.")
    ]
    down = identity_form_errors(IdentityError(503, {}), fields=("email",), labels={}, on_field="email")
    assert down.for_field("email") == UNAVAILABLE


def test_ordinals_of_the_code_positions():
    assert [ordinal(n) for n in range(1, 7)] == ["1st", "2nd", "3rd", "4th", "5th", "6th"]


def test_a_generic_title_gives_way_to_identitys_detail():
    conflict = IdentityError(
        409, {"title": "Conflict", "detail": "a request for this e-mail is already waiting for the council"}
    )
    assert problem_text(conflict) == "A request for this e-mail is already waiting for the council."
    locked = IdentityError(403, {"title": "This account is locked", "detail": "Contact the council."})
    assert problem_text(locked) == "This account is locked. Contact the council."


def test_a_full_hashing_lane_says_to_try_again_shortly_and_identitys_own_failures_say_nothing_of_inside():
    assert (
        problem_text(lane_full(LaneFull(15.0)))
        == "Too many people are logging in just now: try again shortly."
    )
    inside = IdentityError(500, {"title": "Internal Server Error", "detail": "KeyError: 'password_hash'"})
    assert problem_text(inside) == UNAVAILABLE


def validation(*errors: tuple[str, str]) -> IdentityError:
    """identity's 422 for a request body it refused (shared/problems.py's `errors` shape)."""
    return IdentityError(
        422,
        {
            "title": "Your request has errors",
            "errors": [{"source": "body", "field": f, "message": m} for f, m in errors],
        },
    )


def test_identitys_message_is_shown_at_its_field_after_the_fields_label():
    exc = validation(("phone", "must be 40 characters or fewer"), ("email", "must be in the correct format"))
    errors = identity_form_errors(
        exc,
        fields=("email", "telephone"),
        labels={"telephone": "Your telephone number", "email": "Your email address"},
        aliases={"phone": "telephone"},
        values={"telephone": "0" * 41, "email": "x"},
    )
    assert errors.for_field("telephone") == "Your telephone number must be 40 characters or fewer"
    assert [e.field for e in errors.summary] == ["email", "telephone"]


def test_a_field_left_blank_gets_the_pages_words_and_nothing_else():
    exc = validation(("name", "String should have at least 1 character"), ("name", "is required"))
    errors = identity_form_errors(
        exc,
        fields=("name",),
        labels={"name": "Name"},
        values={"name": " "},
        blank={"name": "Enter your name"},
    )
    assert [e.message for e in errors.summary] == ["Enter your name"]


def test_generic_validation_phrases_read_as_english():
    exc = validation(
        ("name", "String should have at most 200 characters"),
        ("role", "Input should be 'full', 'finance' or 'care'"),
        ("address", "Value error, must be on one line"),
    )
    errors = identity_form_errors(
        exc,
        fields=("name", "address", "role"),
        labels={"name": "Organisation name", "address": "Address", "role": "Role"},
        values={"name": "x" * 201, "address": "a\nb", "role": "nonsense"},
    )
    assert [e.message for e in errors.summary] == [
        "Organisation name must be 200 characters or fewer",
        "Address must be on one line",
        "Role must be one of the choices offered",
    ]


def test_a_nested_field_is_named_by_its_last_part():
    # A body that is one of several kinds: identity names the field under the kind ("access.role").
    exc = validation(("access.role", "Input should be 'full' or 'care'"), ("access.scope_id", "bad"))
    errors = identity_form_errors(
        exc,
        fields=("scope", "role"),
        labels={"role": "Role"},
        aliases={"scope_id": "scope"},
        values={"role": "", "scope": ""},
        blank={"role": "Choose a role", "scope": "Choose what the access is for"},
    )
    assert errors.for_field("role") == "Choose a role"
    assert errors.for_field("scope") == "Choose what the access is for"
