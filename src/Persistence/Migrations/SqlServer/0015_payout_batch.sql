-- Batches of payouts (POST /payouts/batch, RequestPayoutBatch): one row per batch, idempotent on
-- its external id within its client, and one row per payout it made. A payout may be in several
-- batches (the same item in two batches is one payout). items_recorded is set once its payouts are
-- recorded (until then it cannot be complete); completed_at once every one of them has ended and
-- PayoutBatchCompleted has been published.
CREATE TABLE payout_batch (
    batch_id uniqueidentifier NOT NULL PRIMARY KEY,
    external_id nvarchar(100) NOT NULL,
    client nvarchar(100) NULL,
    idempotency_key nvarchar(210) NOT NULL,
    fingerprint nvarchar(64) NOT NULL,
    item_count int NOT NULL,
    items_recorded bit NOT NULL CONSTRAINT df_payout_batch_items_recorded DEFAULT 0,
    created_at datetime2 NOT NULL,
    completed_at datetime2 NULL
);
CREATE UNIQUE INDEX ux_payout_batch_idempotency_key ON payout_batch (idempotency_key);
CREATE INDEX ix_payout_batch_open ON payout_batch (created_at) WHERE completed_at IS NULL;
CREATE TABLE payout_batch_item (
    batch_id uniqueidentifier NOT NULL,
    payout_id uniqueidentifier NOT NULL,
    item_index int NOT NULL,
    PRIMARY KEY (batch_id, payout_id)
);
