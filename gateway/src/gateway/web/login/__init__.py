"""Logging in (e-mail and password, then the step identity asks for) and asking for a new password."""

from gateway.web.areas import Area, HelpTopic
from gateway.web.login import forgotten_password, pages

AREA = Area.of(
    __file__,
    routers=(forgotten_password.router, pages.router),
    help=(
        HelpTopic("What if I forget my password or security code?", "login/help_forgotten.html", "forgotten"),
        HelpTopic("Why is my account locked?", "login/help_locked.html", "locked"),
    ),
)
