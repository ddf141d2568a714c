-- Status polls since the provider last told us something new: each doubles the wait for the next, so that a payout
-- waiting hours is asked about a few dozen times, not every 5 seconds.
ALTER TABLE payout_saga ADD status_polls int NOT NULL CONSTRAINT df_payout_saga_status_polls DEFAULT 0;
