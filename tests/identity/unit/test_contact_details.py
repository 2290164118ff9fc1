"""The contact details people type into the portal's forms (telephone, e-mail, postcode): checked by
identity only, with messages the pages show at the field after its label."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from identity.api.schemas import Email, Phone, Postcode


def refusal(kind, value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    (error,) = caught.value.errors()
    return str(error["msg"])


@pytest.mark.parametrize("postcode", ["TF1 7YD", "tf17yd", "SW1A 1AA", "m1 1ae", "B33 8TH", "CR2  6XH"])
def test_postcodes_in_any_case_and_spacing_are_accepted(postcode):
    assert TypeAdapter(Postcode).validate_python(postcode) == postcode


@pytest.mark.parametrize("postcode", ["TF1 Z", "12345", "TF1 7YDX", "TF1 ZZZ"])
def test_partial_or_foreign_postcodes_are_refused(postcode):
    assert refusal(Postcode, postcode) == "must be a full UK postcode, like TF1 7YD"


def test_a_telephone_number_too_long_short_or_with_letters_is_refused_in_plain_words():
    assert refusal(Phone, "0" * 41) == "must be 40 characters or fewer"
    assert refusal(Phone, "123") == "must be 5 characters or more"  # the right characters, too few
    assert refusal(Phone, "0") == "must be 5 characters or more"
    assert refusal(Phone, "01632 abc 001").startswith("must contain only digits")
    assert refusal(Phone, "   ") == "is required"
    assert TypeAdapter(Phone).validate_python("+44 (0)1632 960-001") == "+44 (0)1632 960-001"


@pytest.mark.parametrize("email", ["sam", "sam@", "sam@example", "s am@example.org"])
def test_malformed_emails_are_refused(email):
    assert refusal(Email, email) == "must be in the correct format, like name@example.com"


def test_the_api_documents_the_same_rules():
    schema = TypeAdapter(Phone).json_schema()
    assert (schema["maxLength"], schema["minLength"], schema["examples"]) == (40, 5, ["01632 960 001"])
