-- A payout belongs to the API client that requested it, and external ids are unique per client:
-- the idempotency key is the external id within its client (the external id alone for a payout of no client).
-- The new column is filled and indexed in statements compiled after it exists (one batch).
ALTER TABLE payout_saga ADD client nvarchar(100) NULL,
    idempotency_key nvarchar(210) NOT NULL CONSTRAINT df_payout_saga_idempotency_key DEFAULT '';
EXEC('UPDATE payout_saga SET idempotency_key = external_id');
EXEC('CREATE UNIQUE INDEX ix_payout_saga_idempotency_key ON payout_saga (idempotency_key)');
DROP INDEX ix_payout_saga_external_id ON payout_saga;
