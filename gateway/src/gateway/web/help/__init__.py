"""Help: each authority's help page, linked from every page's header."""

from gateway.web.areas import Area
from gateway.web.help.pages import router

AREA = Area.of(__file__, routers=(router,))
