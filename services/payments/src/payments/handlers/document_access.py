"""Who reads purchase orders and remittance advice: a provider's people whose role gives them (read-only
included), and the council through its own API. Shared by `purchase_orders` and `remittances`."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from payments.domain.periods import financial_year, year_bounds
from shared.auth import Principal
from shared.capabilities import Capability, require_capability
from shared.errors import Forbidden, Invalid

UK = ZoneInfo("Europe/London")


def today() -> date:
    """The date in the UK, where the council's financial years and printed dates are."""
    return datetime.now(UK).date()


def require_provider(principal: Principal, capability: Capability) -> None:
    if principal.is_council:
        raise Forbidden("the council reads these through the council API (/council/v1/payments)")
    require_capability(principal, capability)


def require_council(principal: Principal, *, edit: bool = False) -> None:
    if not principal.is_council:
        raise Forbidden("only the council's finance system uses the council API")
    if edit and not principal.can_edit:
        raise Forbidden("your access is read-only")


def year_asked(value: str | None) -> tuple[str, tuple[date, date]]:
    """The financial year asked for (the current one when left out) and its bounds; 422 naming the field."""
    if value is None or not value.strip():
        year = financial_year(today())
        return year, year_bounds(year)
    try:
        bounds = year_bounds(value)
    except Invalid:
        raise Invalid.field(
            "financial_year", f"{value[:20]!r} is not a financial year such as 2019/2020", code="invalid-year"
        ) from None
    return value.strip(), bounds
