"""A run's parameters checked against its report (reports.domain.parameters): every wrong one named at
its field, optional ones left out, the stored text read back to the same values."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from reports.domain.catalogue import (
    ANNUAL_STATEMENT_FOSTER_CARER,
    CATALOGUE,
    COMMISSIONED_VS_ACTUALS,
    REMITTANCE_ADVICE,
)
from reports.domain.parameters import BadParameters, canonical, described, parse

CONTRACT = uuid.UUID("0b9f7c9e-3d0a-4f43-9b7e-2f8f3c1e5a10")


def faults(definition, given) -> dict[str, str]:
    with pytest.raises(BadParameters) as refused:
        parse(definition, given)
    assert refused.value.code == "bad-report-parameters"
    return {f.field: f.message for f in refused.value.fields or []}


def test_the_remittance_advice_takes_its_four_parameters_as_a_source_reads_them():
    parsed = parse(
        REMITTANCE_ADVICE,
        {
            "contract_id": str(CONTRACT),
            "payment_method": " Scheduled Weekly Net ",
            "period_start": "2019-09-23",
        },
    )
    assert parsed == {
        "contract_id": CONTRACT,
        "payment_method": "Scheduled Weekly Net",
        "period_start": date(2019, 9, 23),
        "summary": False,  # an unticked box: the detail
    }
    stored = canonical(parsed)
    assert stored == {
        "contract_id": str(CONTRACT),
        "payment_method": "Scheduled Weekly Net",
        "period_start": "2019-09-23",
        "summary": "false",
    }
    assert parse(REMITTANCE_ADVICE, stored) == parsed  # what a run stores reads back the same
    assert described(REMITTANCE_ADVICE, parsed) == [
        ("Contract", str(CONTRACT)),
        ("Payment method", "Scheduled Weekly Net"),
        ("Period", "23/09/2019"),
        ("Summary", "Detail"),
    ]


def test_one_remittance_needs_no_contract_method_or_period():
    remittance = uuid.uuid4()
    parsed = parse(REMITTANCE_ADVICE, {"remittance_id": f" {remittance} "})
    assert parsed == {"remittance_id": remittance, "summary": False}
    assert parse(REMITTANCE_ADVICE, canonical(parsed)) == parsed
    assert described(REMITTANCE_ADVICE, parsed) == [("Summary", "Detail"), ("Remittance", str(remittance))]
    assert REMITTANCE_ADVICE.document == "remittance_id"
    # an empty remittance is none: the contract, method and period are asked for again
    assert set(faults(REMITTANCE_ADVICE, {"remittance_id": "  "})) == {
        "parameters.contract_id",
        "parameters.payment_method",
        "parameters.period_start",
    }
    assert faults(REMITTANCE_ADVICE, {"remittance_id": "RA-1"}) == {
        "parameters.remittance_id": "choose one from the list (this is not an id we know)"
    }


@pytest.mark.parametrize("written", ["2018/19", "2018/2019", "2018", 2018])
def test_a_tax_year_is_the_year_it_starts_in(written):
    org = uuid.uuid4()
    parsed = parse(ANNUAL_STATEMENT_FOSTER_CARER, {"organisation_id": str(org), "tax_year": written})
    assert parsed == {"organisation_id": org, "tax_year": 2018}
    assert described(ANNUAL_STATEMENT_FOSTER_CARER, parsed)[1] == ("Tax year", "2018/19")
    named = described(ANNUAL_STATEMENT_FOSTER_CARER, parsed, names={"organisation_id": "Sausage Sandwich"})
    assert named[0] == ("Organisation", "Sausage Sandwich")  # an id reads as its name when known


def test_every_missing_and_bad_parameter_is_named_at_once():
    assert faults(
        REMITTANCE_ADVICE, {"contract_id": "not-an-id", "period_start": "23/09/2019", "summary": "maybe"}
    ) == {
        "parameters.contract_id": "choose one from the list (this is not an id we know)",
        "parameters.payment_method": "enter the payment method",
        "parameters.period_start": "enter the period's first day as a date, like 2019-09-23",
        "parameters.summary": "choose summary or detail",
    }


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2018/20", "2018/20 is not a year: the second year follows the first, like 2018/19"),
        ("2018-19", "enter the year as 2018/19"),
        ("1999/00", "choose a year from 2000/01 on"),
        ("", "enter the tax year"),
    ],
)
def test_a_bad_tax_year_says_what_a_year_looks_like(written, message):
    assert faults(
        ANNUAL_STATEMENT_FOSTER_CARER, {"organisation_id": str(uuid.uuid4()), "tax_year": written}
    ) == {"parameters.tax_year": message}


def test_a_parameter_the_report_does_not_take_is_refused_not_ignored():
    assert faults(
        COMMISSIONED_VS_ACTUALS,
        {"organisation_id": str(uuid.uuid4()), "financial_year": "2019/20", "tax_year": "2019"},
    ) == {
        "parameters.tax_year": "this report takes no tax_year (it takes: contract_id, financial_year,"
        " organisation_id)"
    }


def test_an_optional_parameter_left_empty_means_all():
    org = uuid.uuid4()
    parsed = parse(
        COMMISSIONED_VS_ACTUALS, {"organisation_id": str(org), "contract_id": "", "financial_year": "2019/20"}
    )
    assert parsed == {"organisation_id": org, "financial_year": 2019}


def test_every_report_has_columns_with_unique_keys_and_totals_only_on_figures():
    assert len(CATALOGUE) == 7
    for definition in CATALOGUE.values():
        keys = [c.key for c in definition.columns]
        assert len(keys) == len(set(keys)), definition.key
        assert all(c.kind in ("money", "number") for c in definition.columns if c.total), definition.key
        names = [p.name for p in definition.parameters]
        assert len(names) == len(set(names)), definition.key
        assert definition.source_key == definition.key


def test_a_payment_method_with_control_characters_is_refused_before_it_is_stored():
    given = {"contract_id": str(CONTRACT), "payment_method": "Weekly\x00Net", "period_start": "2019-09-23"}
    assert faults(REMITTANCE_ADVICE, given) == {
        "parameters.payment_method": "must be the payment method's name, without control characters"
    }
