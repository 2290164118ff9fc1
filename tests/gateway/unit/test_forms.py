from __future__ import annotations

from gateway.web.contacts.pages import ROLE_CHOICES, role_text
from gateway.web.forms import FieldError, form_errors, form_values
from gateway.web.login.forgotten_password import FIELDS


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


def test_the_new_contact_form_offers_every_provider_role_edit_or_read_only_but_never_main():
    assert len(ROLE_CHOICES) == 8 and not any("main" in value for value, _ in ROLE_CHOICES)
    assert ("finance:read", "Finance Functions - Read Only") in ROLE_CHOICES
    assert role_text({"role": "care", "can_edit": True}) == "Care Management Functions - Edit"


def test_form_values_are_what_was_typed_without_surrounding_spaces():
    assert form_values({"name": "  Sam  ", "email": "sam@example.org"}, FIELDS) == {
        "name": "Sam",
        "organisation_name": "",
        "email": "sam@example.org",
        "telephone": "",
    }
