-- The number of decimal places the caller wrote ("125.50" = 2): decimal(38, 18) pads every amount
-- to 18 places, and answers and events give the amount back as the caller spelled it.
ALTER TABLE payout_saga ADD amount_scale int NOT NULL CONSTRAINT df_payout_saga_amount_scale DEFAULT 0;
