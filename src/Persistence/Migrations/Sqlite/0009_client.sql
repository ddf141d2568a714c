-- A payout belongs to the API client that requested it, and external ids are unique per client:
-- the idempotency key is the external id within its client (the external id alone for a payout of no client).
ALTER TABLE payout_saga ADD COLUMN client TEXT NULL;
ALTER TABLE payout_saga ADD COLUMN idempotency_key TEXT NOT NULL DEFAULT '';
UPDATE payout_saga SET idempotency_key = external_id;
CREATE UNIQUE INDEX ix_payout_saga_idempotency_key ON payout_saga (idempotency_key);
DROP INDEX ix_payout_saga_external_id;
