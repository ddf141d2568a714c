-- When the confirmation was last sent to the provider: a confirmation the provider has still not
-- seen long after is sent again (it may have been lost with a crashed process).
ALTER TABLE payout_saga ADD confirmation_sent_at datetime2 NULL;
