-- A payout that named no provider is routed: which provider and why, and the providers that
-- refused it before anything was created (it failed over from them).
ALTER TABLE payout_saga ADD COLUMN routed boolean NOT NULL DEFAULT false;
ALTER TABLE payout_saga ADD COLUMN route text NULL;
ALTER TABLE payout_saga ADD COLUMN failed_providers varchar(200) NULL;
-- A provider that refused a routed payout before anything was created: it is never asked to create
-- that payout again, whatever copy of an old command still arrives.
CREATE TABLE payout_provider_refusal (
    payout_id uuid NOT NULL,
    provider varchar(32) NOT NULL,
    refused_at timestamptz NOT NULL,
    PRIMARY KEY (payout_id, provider)
);
