-- The number of decimal places the caller wrote ("125.50" = 2): numeric(38, 18) pads every amount
-- to 18 places, and answers and events give the amount back as the caller spelled it.
ALTER TABLE payout_saga ADD COLUMN amount_scale smallint NOT NULL DEFAULT 0;
