-- One row per payout: the saga's state, with an integer version as concurrency token.
CREATE TABLE payout_saga (
    correlation_id TEXT NOT NULL PRIMARY KEY,
    current_state TEXT NOT NULL,
    version INTEGER NOT NULL,
    external_id TEXT NOT NULL,
    request_fingerprint TEXT NOT NULL,
    provider TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    network TEXT NOT NULL,
    destination TEXT NOT NULL,
    memo TEXT NULL,
    dfns TEXT NULL,
    provider_reference TEXT NULL,
    provider_status TEXT NULL,
    deposit_address TEXT NULL,
    deposit_amount TEXT NULL,
    confirmation_expires_at TEXT NULL,
    tx_hash TEXT NULL,
    fee TEXT NULL,
    failure_code TEXT NULL,
    failure_message TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    confirmation_expiry_token_id TEXT NULL,
    submission_expiry_token_id TEXT NULL,
    status_poll_token_id TEXT NULL,
    submit_retry_token_id TEXT NULL,
    history TEXT NOT NULL
);

-- The idempotency key: one payout per external id, whatever races.
CREATE UNIQUE INDEX ix_payout_saga_external_id ON payout_saga (external_id);
CREATE INDEX ix_payout_saga_current_state ON payout_saga (current_state, updated_at);
