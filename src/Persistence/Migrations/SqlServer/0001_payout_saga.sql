-- One row per payout: the saga's state, with an integer version as concurrency token.
-- Money is decimal(38, 18): SQL Server's default for decimal would round it.
CREATE TABLE payout_saga (
    correlation_id uniqueidentifier NOT NULL PRIMARY KEY,
    current_state nvarchar(64) NOT NULL,
    version int NOT NULL,
    external_id nvarchar(100) NOT NULL,
    request_fingerprint nvarchar(64) NOT NULL,
    provider nvarchar(32) NOT NULL,
    amount decimal(38, 18) NOT NULL,
    currency nvarchar(16) NOT NULL,
    network nvarchar(32) NOT NULL,
    destination nvarchar(128) NOT NULL,
    memo nvarchar(100) NULL,
    dfns nvarchar(max) NULL,
    provider_reference nvarchar(128) NULL,
    provider_status nvarchar(128) NULL,
    deposit_address nvarchar(128) NULL,
    deposit_amount decimal(38, 18) NULL,
    confirmation_expires_at datetime2 NULL,
    tx_hash nvarchar(128) NULL,
    fee decimal(38, 18) NULL,
    failure_code nvarchar(64) NULL,
    failure_message nvarchar(max) NULL,
    created_at datetime2 NOT NULL,
    updated_at datetime2 NOT NULL,
    confirmation_expiry_token_id uniqueidentifier NULL,
    submission_expiry_token_id uniqueidentifier NULL,
    status_poll_token_id uniqueidentifier NULL,
    submit_retry_token_id uniqueidentifier NULL,
    history nvarchar(max) NOT NULL
);

-- The idempotency key: one payout per external id, whatever races.
CREATE UNIQUE INDEX ix_payout_saga_external_id ON payout_saga (external_id);
CREATE INDEX ix_payout_saga_current_state ON payout_saga (current_state, updated_at);
