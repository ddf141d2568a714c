-- One row per payout: the saga's state, with an integer version as concurrency token.
CREATE TABLE payout_saga (
    correlation_id uuid NOT NULL PRIMARY KEY,
    current_state varchar(64) NOT NULL,
    version integer NOT NULL,
    external_id varchar(100) NOT NULL,
    request_fingerprint varchar(64) NOT NULL,
    provider varchar(32) NOT NULL,
    amount numeric(38, 18) NOT NULL,
    currency varchar(16) NOT NULL,
    network varchar(32) NOT NULL,
    destination varchar(128) NOT NULL,
    memo varchar(100) NULL,
    dfns jsonb NULL,
    provider_reference varchar(128) NULL,
    provider_status varchar(128) NULL,
    deposit_address varchar(128) NULL,
    deposit_amount numeric(38, 18) NULL,
    confirmation_expires_at timestamptz NULL,
    tx_hash varchar(128) NULL,
    fee numeric(38, 18) NULL,
    failure_code varchar(64) NULL,
    failure_message text NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    confirmation_expiry_token_id uuid NULL,
    submission_expiry_token_id uuid NULL,
    status_poll_token_id uuid NULL,
    submit_retry_token_id uuid NULL,
    history jsonb NOT NULL
);

-- The idempotency key: one payout per external id, whatever races.
CREATE UNIQUE INDEX ix_payout_saga_external_id ON payout_saga (external_id);
CREATE INDEX ix_payout_saga_current_state ON payout_saga (current_state, updated_at);
