"""The reports that are documents rather than lists: a remittance advice and a purchase order. Each is a
heading block (who pays whom, for what, when) printed once above its lines, from fields every row of the
document carries (the read model's source repeats them on each line); when those fields change between rows
a new document begins (a new page in the PDF), with totals of its own.

A heading field a row does not carry is left out, not an error: the layout names what a document may show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.rendering.cells import Row, plain


@dataclass(frozen=True)
class Field:
    key: str  # the key in the row dicts
    label: str


@dataclass(frozen=True)
class DocumentLayout:
    heading: str  # printed above the heading block, e.g. "Remittance Advice: Provider Payments"
    fields: tuple[Field, ...]  # the heading block, from the document's first row
    identity: tuple[str, ...]  # the keys that tell one document from the next

    def document_of(self, row: Row) -> tuple[Any, ...]:
        return tuple(row.get(key) for key in self.identity)

    def heading_block(self, row: Row) -> list[tuple[str, str]]:
        """The label and value of each heading field the row carries."""
        return [(f.label, plain(row[f.key])) for f in self.fields if row.get(f.key) is not None]


REMITTANCE_ADVICE = DocumentLayout(
    heading="Remittance Advice: Provider Payments",
    fields=(
        Field("supplier_name", "Supplier"),
        Field("supplier_reference", "Supplier reference"),
        Field("remittance_reference", "Remittance"),
        Field("contract_name", "Contract"),
        Field("contract_reference", "Contract reference"),
        Field("payment_run_reference", "Payment run"),
        Field("period_start", "Period from"),
        Field("period_end", "Period to"),
        Field("pay_date", "Pay date"),
    ),
    identity=("remittance_id", "remittance_reference"),
)
PURCHASE_ORDER = DocumentLayout(
    heading="Purchase Order",
    fields=(
        Field("purchase_order_number", "Purchase order"),
        Field("client_name", "Client"),
        Field("client_reference", "Client reference"),
        Field("supplier_name", "Provider"),
        Field("supplier_address", "Provider address"),
        Field("contract_name", "Contract"),
        Field("financial_year", "Financial year"),
        Field("issued", "Issued"),
        Field("payment_terms", "Payment terms"),
    ),
    identity=("purchase_order_id", "purchase_order_number"),
)
DOCUMENTS: dict[str, DocumentLayout] = {
    "remittance-advice": REMITTANCE_ADVICE,
    "purchase-order": PURCHASE_ORDER,
}
