"""The "temporarily unavailable" page: what a person reads when a service the page needs is down
(`ServiceUnavailable`, gateway/service_client.py). Every page shows it the same way, through the error
page (web/errors.py), with the authority's header, the way back to the start and the support contact;
only the pages that need that service are affected."""

from __future__ import annotations

# What each service's pages are called for the person using them.
AREAS = {
    "identity": "signing in and account details",
    "actuals": "Actuals",
    "payments": "Payments",
    "claims": "Claims",
    "messaging": "Messages",
    "reports": "Reports",
}
DETAIL = "We cannot reach it just now. Nothing you have done has been lost. Try again in a few minutes."


def unavailable_text(service: str) -> tuple[str, str]:
    """The page's heading and text for a service that cannot be reached just now."""
    area = AREAS.get(service)
    if area is None:
        return "Sorry, this part of the portal is temporarily unavailable", DETAIL
    return f"Sorry, {area} {'are' if ' and ' in area else 'is'} temporarily unavailable", DETAIL
