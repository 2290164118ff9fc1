"""The SQL of `bench.payments_run`: the data it builds (BUILD: $1 authority, $2 organisation, $3 contracts,
$4 CPLIs' start, $5 CPLIs a contract, $6 the period), the aggregate floor and the write floor."""

BUILD = """
INSERT INTO payments.organisation (organisation_id, authority_id, name, reference, active, revision, updated_at)
VALUES ($2, $1, 'Bench provider', 'SUP-BENCH', true, 1, now());

INSERT INTO payments.contract
       (contract_id, authority_id, organisation_id, reference, name, payment_basis, frequency, pays_frustrated,
        pays_extras, vat_registered, start_date, end_date, active, revision, updated_at)
SELECT md5('contract' || n)::uuid, $1, $2, 'C-' || lpad(n::text, 5, '0'), 'Contract ' || n,
       CASE WHEN n % 2 = 0 THEN 'planned' ELSE 'actuals' END, 'weekly', true, true, n % 5 = 0, $4, NULL, true,
       1, now()
  FROM generate_series(1, $3) n;

INSERT INTO payments.provider_service
       (service_id, authority_id, organisation_id, contract_id, reference, name, active, revision, updated_at)
SELECT md5('service' || n)::uuid, $1, $2, md5('contract' || n)::uuid, 'S-' || n, 'Service ' || n, true, 1, now()
  FROM generate_series(1, $3) n;

INSERT INTO payments.client (client_id, authority_id, reference, name, revision, updated_at)
SELECT md5('client' || n || ':' || k)::uuid, $1, 'C' || n || ':' || k, 'Client ' || n || ':' || k, 1, now()
  FROM generate_series(1, $3) n, generate_series(1, $5) k;

INSERT INTO payments.cpli
       (cpli_id, authority_id, organisation_id, contract_id, service_id, client_id, client_reference,
        service_level_id, reference, care_package_ref, start_date, end_date, cost, frequency, authorised,
        revision, updated_at)
SELECT md5('cpli' || n || ':' || k)::uuid, $1, $2, md5('contract' || n)::uuid, md5('service' || n)::uuid,
       md5('client' || n || ':' || k)::uuid, 'C' || n || ':' || k, md5('level')::uuid, 'CPLI-' || n || ':' || k,
       'M1', CASE WHEN k % 10 = 0 THEN $6::date + 3 ELSE $4 END, NULL,
       (100 + ((n * 31 + k * 17) % 90000) / 100.0)::numeric(12, 2), 'Weekly', true, 1, now() - interval '1 day'
  FROM generate_series(1, $3) n, generate_series(1, $5) k;

INSERT INTO payments.schedule
       (contract_id, authority_id, organisation_id, frequency, anchor_date, amendment_days, finalisation_days,
        pay_days, vat_rate)
SELECT md5('contract' || n)::uuid, $1, $2, 'weekly', $6, 2, 4, 9, CASE WHEN n % 5 = 0 THEN 0.2 ELSE 0 END
  FROM generate_series(1, $3) n;

INSERT INTO payments.period
       (period_id, authority_id, organisation_id, contract_id, start_date, end_date, last_amendment_date,
        finalisation_date, pay_date)
SELECT gen_random_uuid(), $1, $2, md5('contract' || n)::uuid, $6, $6::date + 6, $6::date + 8, $6::date + 10,
       $6::date + 15
  FROM generate_series(1, $3) n;

INSERT INTO payments.confirmed_week
       (week_id, authority_id, organisation_id, contract_id, service_id, week_commencing, payment_basis, total,
        confirmed, confirmed_by, confirmed_at, revision)
SELECT md5('week' || n)::uuid, $1, $2, md5('contract' || n)::uuid, md5('service' || n)::uuid, $6, 'actuals', 0,
       true, 'bench', now(), 1
  FROM generate_series(1, $3) n WHERE n % 2 = 1;

INSERT INTO payments.confirmed_line (week_id, line_id, cpli_id, client_id, client_reference, service_level_id, total)
SELECT md5('week' || n)::uuid, md5('line' || n || ':' || k)::uuid, md5('cpli' || n || ':' || k)::uuid,
       md5('client' || n || ':' || k)::uuid, 'C' || n || ':' || k, md5('level')::uuid,
       (80 + ((n * 13 + k * 7) % 50000) / 100.0)::numeric(12, 2)
  FROM generate_series(1, $3) n, generate_series(1, $5) k WHERE n % 2 = 1;
"""

FLOOR = """
WITH line AS (
    SELECT s.contract_id, s.vat_rate,
           round(c.cost * ((least(p.end_date, coalesce(c.end_date, p.end_date))
                            - greatest(p.start_date, c.start_date)) + 1) / 7, 2) AS excl
      FROM payments.schedule s
      JOIN payments.period p ON p.contract_id = s.contract_id AND p.start_date = $2
      JOIN payments.contract k ON k.contract_id = s.contract_id AND k.payment_basis = 'planned'
      JOIN payments.cpli c ON c.contract_id = s.contract_id AND c.authorised AND c.start_date <= p.end_date
                          AND (c.end_date IS NULL OR c.end_date >= p.start_date)
     WHERE s.authority_id = $1 AND s.frequency = 'weekly'
    UNION ALL
    SELECT s.contract_id, s.vat_rate, l.total
      FROM payments.schedule s
      JOIN payments.period p ON p.contract_id = s.contract_id AND p.start_date = $2
      JOIN payments.contract k ON k.contract_id = s.contract_id AND k.payment_basis = 'actuals'
      JOIN payments.confirmed_week w ON w.contract_id = s.contract_id AND w.confirmed AND w.week_commencing <= p.end_date
      JOIN payments.confirmed_line l ON l.week_id = w.week_id
     WHERE s.authority_id = $1 AND s.frequency = 'weekly'
)
SELECT count(*)::int AS lines, coalesce(sum(excl + round(excl * vat_rate, 2)), 0) AS total FROM line
"""


FLOOR_WRITE = """
WITH line AS (
    SELECT s.contract_id, p.period_id, s.vat_rate, 'planned' AS source,
           'planned:' || c.cpli_id || ':' || p.start_date AS source_key, c.client_id, c.service_id,
           NULL::uuid AS week_id, greatest(p.start_date, c.start_date) AS first, p.end_date AS last,
           round(c.cost * ((least(p.end_date, coalesce(c.end_date, p.end_date))
                            - greatest(p.start_date, c.start_date)) + 1) / 7, 2) AS excl
      FROM payments.schedule s
      JOIN payments.period p ON p.contract_id = s.contract_id AND p.start_date = $2
      JOIN payments.contract k ON k.contract_id = s.contract_id AND k.payment_basis = 'planned'
      JOIN payments.cpli c ON c.contract_id = s.contract_id AND c.authorised AND c.start_date <= p.end_date
                          AND (c.end_date IS NULL OR c.end_date >= p.start_date)
     WHERE s.authority_id = $1 AND s.frequency = 'weekly'
    UNION ALL
    SELECT s.contract_id, p.period_id, s.vat_rate, 'actuals', 'actuals:' || l.line_id, l.client_id, w.service_id,
           w.week_id, w.week_commencing, w.week_commencing + 6, l.total
      FROM payments.schedule s
      JOIN payments.period p ON p.contract_id = s.contract_id AND p.start_date = $2
      JOIN payments.contract k ON k.contract_id = s.contract_id AND k.payment_basis = 'actuals'
      JOIN payments.confirmed_week w ON w.contract_id = s.contract_id AND w.confirmed AND w.week_commencing <= p.end_date
      JOIN payments.confirmed_line l ON l.week_id = w.week_id
     WHERE s.authority_id = $1 AND s.frequency = 'weekly'
), paid AS (
    INSERT INTO payments.scheduled_payment
           (payment_id, authority_id, organisation_id, contract_id, period_id, run_id, status, excl_vat, vat, total)
    SELECT gen_random_uuid(), $1, $3, contract_id, period_id, $4, 'unconfirmed', sum(excl),
           sum(round(excl * vat_rate, 2)), sum(excl + round(excl * vat_rate, 2))
      FROM line GROUP BY contract_id, period_id
    RETURNING payment_id, contract_id
)
INSERT INTO payments.payment_line
       (line_id, payment_id, authority_id, organisation_id, contract_id, source, source_key, client_id,
        purchase_order_id, week_id, service_start, service_end, adjustment, excl_vat, vat, total)
SELECT gen_random_uuid(), paid.payment_id, $1, $3, line.contract_id, line.source, line.source_key, line.client_id,
       po.purchase_order_id, line.week_id, line.first, line.last, false, line.excl,
       round(line.excl * line.vat_rate, 2), line.excl + round(line.excl * line.vat_rate, 2)
  FROM line
  JOIN paid USING (contract_id)
  JOIN payments.purchase_order po ON po.authority_id = $1 AND po.kind = 'client' AND po.client_id = line.client_id
                                 AND po.service_id = line.service_id AND po.financial_year = $5
"""
