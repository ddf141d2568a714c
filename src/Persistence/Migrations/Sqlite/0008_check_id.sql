-- Carried by the answers to the status checks the saga asks for. Only such an answer may end a payout: a final status by
-- webhook, or by a message nobody asked for, is first checked with the provider.
ALTER TABLE payout_saga ADD COLUMN check_id TEXT NULL;
