-- GET /payouts lists newest first and pages by (created_at, correlation_id): one index per way of
-- listing, so that a page is an index range read whatever the table holds. These columns never
-- change after the insert, so the indexes cost one entry per payout and nothing per transition.
CREATE INDEX ix_payout_saga_client_created ON payout_saga (client, created_at, correlation_id);
CREATE INDEX ix_payout_saga_created ON payout_saga (created_at, correlation_id);
CREATE INDEX ix_payout_saga_external_id ON payout_saga (external_id);
