-- A payout that named no provider is routed: which provider and why, and the providers that
-- refused it before anything was created (it failed over from them).
ALTER TABLE payout_saga ADD COLUMN routed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payout_saga ADD COLUMN route TEXT NULL;
ALTER TABLE payout_saga ADD COLUMN failed_providers TEXT NULL;
-- A provider that refused a routed payout before anything was created: it is never asked to create
-- that payout again, whatever copy of an old command still arrives.
CREATE TABLE payout_provider_refusal (
    payout_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    refused_at TEXT NOT NULL,
    PRIMARY KEY (payout_id, provider)
);
