"""Projections: other services' full-state events kept in tables of the consuming service.

`declared` is the kit (declare the event, table, key, revision and column mapping; get the guarded
upsert, the batch apply, deletes and the subscriptions); `children` the rows that come whole with a
parent's state (a week's lines); `organisations` is the one every service but
identity keeps. A consumer that starts late fills its tables with a backfill (`shared.backfill`).
"""

from shared.projections.children import ChildRows
from shared.projections.declared import Deletes, Projection
from shared.projections.organisations import (
    ORGANISATION_COLUMNS,
    Organisation,
    OrganisationProjection,
    list_organisations,
    organisation_projection,
)

__all__ = [
    "ORGANISATION_COLUMNS",
    "ChildRows",
    "Deletes",
    "Organisation",
    "OrganisationProjection",
    "Projection",
    "list_organisations",
    "organisation_projection",
]
