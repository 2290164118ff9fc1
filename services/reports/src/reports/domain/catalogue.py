"""The report catalogue: every report the service can produce, as data.

A definition says what a user must choose before a run (`parameters`), what the file shows (`columns`,
keyed like the rows its source yields: `reports.store.sources.SOURCES[definition.source]`), who may run
it (`capability`: Finance functions by default) and how it lays out on a phone (`narrow`). Which of
these an authority offers is its own configuration (reports.catalogue_entry, the council API); the seeds'
sets are the defaults.

The values a source receives in its `params` (validated by `reports.domain.parameters`):

    organisation_id, contract_id, remittance_id, purchase_order_id: UUID
    payment_method: str            the payment method's name, e.g. "Scheduled Weekly Net"
    period_start: date             the first day of the payment period chosen
    financial_year, tax_year: int  the year the year starts in (2018 for 2018/19; a tax year starts
                                   6 April, a financial year 1 April)
    summary: bool                  True for one line per contract/period, False for the detail
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reports.domain.runs import UnknownReport
from shared.capabilities import Capability

ColumnKind = Literal["text", "money", "date", "number"]
ParameterName = Literal[
    "organisation_id",
    "contract_id",
    "payment_method",
    "period_start",
    "financial_year",
    "tax_year",
    "summary",
    "remittance_id",
    "purchase_order_id",
]


@dataclass(frozen=True)
class Column:
    key: str  # the key of the row dicts the source yields
    heading: str
    kind: ColumnKind = "text"
    total: bool = False  # summed in the totals row (money/number)


@dataclass(frozen=True)
class Parameter:
    name: ParameterName
    label: str
    required: bool = True
    unless: ParameterName | None = None  # not required when this other one is given


@dataclass(frozen=True)
class ReportDefinition:
    key: str
    title: str
    description: str
    columns: tuple[Column, ...]
    parameters: tuple[Parameter, ...] = ()
    capability: Capability = Capability.reports
    narrow: bool = False  # single-column layout on a phone
    source: str = ""  # key of reports.store.sources.SOURCES (defaults to `key`)
    # A report that is a document when this id is given (one remittance, one purchase order): the
    # payments pages' "View PDF". A finished run of the same document for the same user is reused while
    # its file is kept and the document has not changed since (reports.handlers.runs.request_run).
    document: ParameterName | None = None

    @property
    def source_key(self) -> str:
        return self.source or self.key

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


ORGANISATION = Parameter("organisation_id", "Organisation")
ANY_CONTRACT = Parameter("contract_id", "Contract", required=False)
ANY_PAYMENT_METHOD = Parameter("payment_method", "Payment method", required=False)
SUMMARY = Parameter("summary", "Summary", required=False)


ORGANISATION_DIRECTORY = ReportDefinition(
    key="organisation-directory",
    title="Provider Organisations",
    description="The provider organisations of the authority, with their reference and status.",
    columns=(Column("name", "Organisation"), Column("reference", "Reference"), Column("status", "Status")),
)

COMMISSIONED_VS_ACTUALS = ReportDefinition(
    key="commissioned-vs-actuals",
    title="Commissioned Vs Actuals",
    description="Each client's commissioned hours and cost against the actuals confirmed, week by week.",
    parameters=(ORGANISATION, ANY_CONTRACT, Parameter("financial_year", "Financial year")),
    columns=(
        Column("contract", "Contract"),
        Column("client", "Client"),
        Column("service", "Service"),
        Column("week_commencing", "Week commencing", "date"),
        Column("commissioned_units", "Commissioned", "number", total=True),
        Column("actual_units", "Actual", "number", total=True),
        Column("variance_units", "Variance", "number", total=True),
        Column("commissioned_amount", "Commissioned cost", "money", total=True),
        Column("actual_amount", "Actual cost", "money", total=True),
    ),
)

PENDING_PAYMENTS_EXCEPTIONS = ReportDefinition(
    key="pending-payments-exceptions",
    title="Pending Payments Exceptions",
    description="Scheduled payments held back from the next run: unconfirmed, disputed or on hold.",
    parameters=(ORGANISATION, ANY_CONTRACT, ANY_PAYMENT_METHOD),
    columns=(
        Column("contract", "Contract"),
        Column("client", "Client"),
        Column("period_start", "Period start", "date"),
        Column("period_end", "Period end", "date"),
        Column("status", "Status"),
        Column("reason", "Reason"),
        Column("amount", "Amount", "money", total=True),
    ),
)

PENDING_SCHEDULED_PAYMENTS = ReportDefinition(
    key="pending-scheduled-payments",
    title="Pending Scheduled Payments",
    description="The scheduled payments not yet paid, with the date each is due to be paid.",
    parameters=(ORGANISATION, ANY_CONTRACT, ANY_PAYMENT_METHOD),
    columns=(
        Column("contract", "Contract"),
        Column("client", "Client"),
        Column("service", "Service"),
        Column("period_start", "Period start", "date"),
        Column("period_end", "Period end", "date"),
        Column("pay_date", "Pay date", "date"),
        Column("status", "Status"),
        Column("amount", "Amount", "money", total=True),
    ),
)

REMITTANCE_ADVICE = ReportDefinition(
    key="remittance-advice",
    title="Remittance Advice Provider Payments",
    description="What was paid for a contract's payment period (or one remittance), line by line, with VAT.",
    parameters=(
        Parameter("contract_id", "Contract", unless="remittance_id"),
        Parameter("payment_method", "Payment method", unless="remittance_id"),
        Parameter("period_start", "Period", unless="remittance_id"),
        SUMMARY,
        Parameter("remittance_id", "Remittance", required=False),
    ),
    document="remittance_id",
    columns=(
        Column("client", "Client"),
        Column("service", "Service"),
        Column("period_start", "Period start", "date"),
        Column("period_end", "Period end", "date"),
        Column("quantity", "Quantity", "number"),
        Column("net", "Net", "money", total=True),
        Column("vat", "VAT", "money", total=True),
        Column("gross", "Gross", "money", total=True),
    ),
)

ANNUAL_STATEMENT_FOSTER_CARER = ReportDefinition(
    key="annual-statement-foster-carer",
    title="Annual Statement of Foster Carer Payments",
    description="A tax year's payments (6 April to 5 April) for each child: days of care, non-taxable"
    " and taxable amounts.",
    parameters=(ORGANISATION, Parameter("tax_year", "Tax year")),
    narrow=True,
    columns=(
        Column("child", "Child"),
        Column("date_of_birth", "Date of birth", "date"),
        Column("days_of_care", "Days of care", "number", total=True),
        Column("non_taxable", "Non-taxable", "money", total=True),
        Column("taxable", "Taxable", "money", total=True),
        Column("total", "Total", "money", total=True),
    ),
)

PURCHASE_ORDER = ReportDefinition(
    key="purchase-order",
    title="Purchase Order",
    description="A purchase order as a document: what the council commissioned, line by line.",
    parameters=(Parameter("purchase_order_id", "Purchase order"),),
    document="purchase_order_id",
    capability=Capability.purchase_orders,
    narrow=True,
    columns=(
        Column("client", "Client"),
        Column("contract", "Contract"),
        Column("start_date", "Start", "date"),
        Column("end_date", "End", "date"),
        Column("quantity", "Quantity", "number"),
        Column("amount", "Amount (excl VAT)", "money", total=True),
    ),
)

CATALOGUE: dict[str, ReportDefinition] = {
    r.key: r
    for r in (
        COMMISSIONED_VS_ACTUALS,
        PENDING_PAYMENTS_EXCEPTIONS,
        PENDING_SCHEDULED_PAYMENTS,
        REMITTANCE_ADVICE,
        ANNUAL_STATEMENT_FOSTER_CARER,
        PURCHASE_ORDER,
        ORGANISATION_DIRECTORY,
    )
}


def find_report(key: str) -> ReportDefinition:
    """The report called `key`, or UnknownReport naming those there are."""
    try:
        return CATALOGUE[key]
    except KeyError:
        raise UnknownReport(key, known=list(CATALOGUE)) from None
