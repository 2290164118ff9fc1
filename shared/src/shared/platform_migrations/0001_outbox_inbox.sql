-- Platform tables every service has in its own schema ({schema} is replaced by the runner).

-- Transactional outbox: written in the business transaction, published by the relay.
CREATE TABLE {schema}.outbox (
    id           bigserial PRIMARY KEY,
    event_id     uuid NOT NULL UNIQUE,
    routing_key  text NOT NULL,
    body         bytea NOT NULL,
    headers      jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at timestamptz
);
-- The relay only ever looks for unpublished rows, oldest first.
CREATE INDEX outbox_unpublished ON {schema}.outbox (id) WHERE published_at IS NULL;

-- Inbox: one row per (consumer, event) applied, written in the handler's transaction.
CREATE TABLE {schema}.inbox (
    consumer     text NOT NULL,
    event_id     uuid NOT NULL,
    routing_key  text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (consumer, event_id)
);
