from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.web.contacts import ROLE_CHOICES, NewContact, role_text
from gateway.web.forgotten_password import FIELDS, ForgottenPasswordRequest
from gateway.web.forms import FieldError, form_errors, postcode_format, problem_errors


def test_problem_errors_become_summary_in_form_order_and_inline_messages():
    problem = [
        {"source": "body", "field": "telephone", "message": "Enter a telephone number"},
        {"source": "body", "field": "name", "message": "Enter your name"},
        {"source": "body", "field": "name", "message": "a second error on the same field"},
        {"source": "body", "field": "", "message": "Too many requests for this account"},
    ]
    errors = form_errors(problem, fields=FIELDS)
    assert errors.summary == (
        FieldError(None, "Too many requests for this account"),
        FieldError("name", "Enter your name"),
        FieldError("telephone", "Enter a telephone number"),
    )
    assert [e.href for e in errors.summary] == [None, "#name", "#telephone"]
    assert errors.for_field("name") == "Enter your name"
    assert errors.for_field("email") is None
    assert bool(errors)


def test_a_services_field_names_map_to_the_forms():
    errors = form_errors(
        [{"field": "organisation", "message": "Unknown"}],
        fields=FIELDS,
        aliases={"organisation": "organisation_name"},
    )
    assert errors.for_field("organisation_name") == "Unknown"


def test_no_errors_is_falsy():
    assert not form_errors([], fields=FIELDS)


def invalid(**values):
    with pytest.raises(ValidationError) as caught:
        ForgottenPasswordRequest.model_validate({name: "" for name in FIELDS} | values)
    return {e["field"]: e["message"] for e in problem_errors(caught.value)}


def test_forgotten_password_asks_for_every_answer_in_plain_words():
    assert invalid() == {
        "name": "Enter your name",
        "organisation_name": "Enter the name of your organisation",
        "email": "Enter your email address",
        "telephone": "Enter your telephone number",
    }


@pytest.mark.parametrize("email", ["sam", "sam@", "sam@example", "s am@example.org"])
def test_forgotten_password_refuses_malformed_emails(email):
    assert (
        invalid(email=email)["email"] == "Enter an email address in the correct format, like name@example.com"
    )


@pytest.mark.parametrize("telephone", ["123", "01632 abc 001", "0163296000100000000"])
def test_forgotten_password_refuses_malformed_telephones(telephone):
    assert invalid(telephone=telephone)["telephone"].startswith("Enter a telephone number, like")


def test_forgotten_password_accepts_and_trims_a_good_request():
    request = ForgottenPasswordRequest.model_validate(
        {
            "name": " Sam ",
            "organisation_name": "Purple Care Ltd",
            "email": "sam@example.org",
            "telephone": "+44 (0)1632 960 001",
        }
    )
    assert request.name == "Sam"


@pytest.mark.parametrize("postcode", ["TF1 7YD", "tf17yd", "SW1A 1AA", "m1 1ae", "B33 8TH", "CR2 6XH"])
def test_postcodes_in_any_case_and_spacing_are_accepted(postcode):
    assert postcode_format(postcode) == postcode


@pytest.mark.parametrize("postcode", ["TF1", "TF1 Z", "12345", "TF1 7YDX", "not a postcode"])
def test_partial_or_foreign_postcodes_are_refused(postcode):
    with pytest.raises(ValueError, match="Enter a full UK postcode"):
        postcode_format(postcode)


def test_the_new_contact_form_offers_every_provider_role_edit_or_read_only_but_never_main():
    assert len(ROLE_CHOICES) == 8 and not any("main" in value for value, _ in ROLE_CHOICES)
    assert ("finance:read", "Finance Functions - Read Only") in ROLE_CHOICES
    with pytest.raises(ValidationError) as refused:
        NewContact.model_validate(
            {
                "forename": "Bart",
                "surname": "Simpson",
                "address": "1 The Gatehouse",
                "phone": "01632 960 999",
                "email": "bart@provider.example",
                "scope": "organisation:x",
                "role": "main:edit",
            }
        )
    assert [e["loc"] for e in refused.value.errors()] == [("role",)]
    assert role_text({"role": "care", "can_edit": True}) == "Care Management Functions - Edit"
