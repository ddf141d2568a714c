-- Batches of payouts (POST /payouts/batch, RequestPayoutBatch): one row per batch, idempotent on
-- its external id within its client, and one row per payout it made. A payout may be in several
-- batches (the same item in two batches is one payout). items_recorded is set once its payouts are
-- recorded (until then it cannot be complete); completed_at once every one of them has ended and
-- PayoutBatchCompleted has been published.
CREATE TABLE payout_batch (
    batch_id TEXT NOT NULL PRIMARY KEY,
    external_id TEXT NOT NULL,
    client TEXT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    items_recorded INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    completed_at TEXT NULL
);
CREATE UNIQUE INDEX ux_payout_batch_idempotency_key ON payout_batch (idempotency_key);
CREATE INDEX ix_payout_batch_open ON payout_batch (created_at) WHERE completed_at IS NULL;
CREATE TABLE payout_batch_item (
    batch_id TEXT NOT NULL,
    payout_id TEXT NOT NULL,
    item_index INTEGER NOT NULL,
    PRIMARY KEY (batch_id, payout_id)
);
