-- Status polls since the provider last told us something new: each doubles the wait for the next, so that a payout
-- waiting hours is asked about a few dozen times, not every 5 seconds.
ALTER TABLE payout_saga ADD COLUMN status_polls integer NOT NULL DEFAULT 0;
