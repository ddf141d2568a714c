-- One row per payout handed to its provider: the attempts so far, when the first began (a look-up
-- searches from there), and the lease of the attempt running now. Written and committed before the
-- provider is called, outside any other transaction.
CREATE TABLE payout_submission (
    payout_id TEXT NOT NULL PRIMARY KEY,
    attempts INTEGER NOT NULL,
    first_attempt_at TEXT NOT NULL,
    lease_attempt TEXT NULL,
    lease_until TEXT NULL
);
