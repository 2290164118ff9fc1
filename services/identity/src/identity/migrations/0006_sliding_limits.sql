-- Rate limits slide (issue 9): fixed 15-minute blocks let twice the limit through around a block's
-- boundary. Each bucket now keeps the times of its latest hits (at most the limit plus one), so that
-- "more than N in the last window" is exact at any moment. Limits are worth nothing after a restart
-- that loses them only briefly, hence UNLOGGED as before.
DROP TABLE identity.rate_limit;

CREATE UNLOGGED TABLE identity.rate_limit_hits (
    bucket bytea PRIMARY KEY,
    hits   timestamptz[] NOT NULL  -- newest first, none older than the bucket's window
);
