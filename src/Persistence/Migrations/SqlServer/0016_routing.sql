-- A payout that named no provider is routed: which provider and why, and the providers that
-- refused it before anything was created (it failed over from them).
ALTER TABLE payout_saga ADD routed bit NOT NULL CONSTRAINT df_payout_saga_routed DEFAULT 0,
    route nvarchar(max) NULL,
    failed_providers nvarchar(200) NULL;
-- A provider that refused a routed payout before anything was created: it is never asked to create
-- that payout again, whatever copy of an old command still arrives.
CREATE TABLE payout_provider_refusal (
    payout_id uniqueidentifier NOT NULL,
    provider nvarchar(32) NOT NULL,
    refused_at datetime2 NOT NULL,
    PRIMARY KEY (payout_id, provider)
);
