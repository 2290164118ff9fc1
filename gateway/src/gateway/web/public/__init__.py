"""The public pages: the list of councils, each authority's landing page (whose "What you can do" lists
the built areas' lines), privacy and cookies."""

from gateway.web.areas import Area
from gateway.web.public.pages import router

AREA = Area.of(__file__, routers=(router,))
