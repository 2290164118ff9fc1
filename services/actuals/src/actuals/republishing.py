"""What actuals re-publishes when a consumer asks for a backfill (shared.backfill): the current full state
of every client, service level and CPLI, as the same events its handlers publish on each change
(`actuals.handlers.reference`), so that payments and reports can fill their projections late.

Each query gives one row per aggregate with the event's fields as columns. They read every authority's
rows: a backfill is actuals' own work for the other services, never a caller's.
"""

from __future__ import annotations

from shared.backfill import Republisher
from shared.events import ClientUpserted, CpliUpserted, ServiceLevelUpserted

CLIENTS = """
    SELECT client_id, authority_id, reference, name, date_of_birth, revision, updated_at
      FROM actuals.client
     ORDER BY client_id
"""

SERVICE_LEVELS = """
    SELECT l.service_level_id, l.authority_id, l.reference, l.name, l.unit, l.extras_payable,
           COALESCE((SELECT json_agg(json_build_object('effective_from', r.effective_from, 'rate', r.rate::text)
                                     ORDER BY r.effective_from)
                       FROM actuals.service_level_rate r WHERE r.service_level_id = l.service_level_id),
                    '[]'::json) AS rates,
           l.revision, l.updated_at
      FROM actuals.service_level l
     ORDER BY l.service_level_id
"""

CPLIS = """
    SELECT p.cpli_id, p.authority_id, p.organisation_id, p.contract_id, p.service_id, p.client_id,
           c.reference AS client_reference, p.service_level_id, p.reference, p.care_package_ref,
           p.start_date, p.end_date, p.cost, p.frequency, p.pricing, p.units_per_week,
           COALESCE((SELECT json_agg(json_build_object('weekday', v.weekday, 'start_time', v.start_time,
                                                       'minutes', v.minutes, 'carers', v.carers)
                                     ORDER BY v.weekday, v.start_time)
                       FROM actuals.cpli_visit v WHERE v.cpli_id = p.cpli_id),
                    '[]'::json) AS timetable,
           p.authorised, p.revision, p.updated_at
      FROM actuals.cpli p
      JOIN actuals.client c USING (client_id)
     ORDER BY p.cpli_id
"""

REPUBLISHERS = (
    Republisher(ClientUpserted, CLIENTS, aggregate_id="client_id"),
    Republisher(ServiceLevelUpserted, SERVICE_LEVELS, aggregate_id="service_level_id"),
    Republisher(CpliUpserted, CPLIS, aggregate_id="cpli_id"),
)
