-- The number of decimal places the caller wrote ("125.50" = 2): SQLite's decimal text drops
-- trailing zeros, and answers and events give the amount back as the caller spelled it.
ALTER TABLE payout_saga ADD COLUMN amount_scale INTEGER NOT NULL DEFAULT 0;
