"""The logged-in person's own pages: the home page, changing their password and security code,
switching organisation, logging out."""

from gateway.web.account import credentials, pages
from gateway.web.areas import Area, HelpTopic

AREA = Area.of(
    __file__,
    routers=(pages.router, credentials.router),
    help=(
        HelpTopic(
            "How do I change my password or security code?",
            "account/help_credentials.html",
            "change-password",
        ),
    ),
)
