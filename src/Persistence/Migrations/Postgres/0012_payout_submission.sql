-- One row per payout handed to its provider: the attempts so far, when the first began (a look-up
-- searches from there), and the lease of the attempt running now. Written and committed before the
-- provider is called, outside any other transaction.
CREATE TABLE payout_submission (
    payout_id uuid PRIMARY KEY,
    attempts integer NOT NULL,
    first_attempt_at timestamptz NOT NULL,
    lease_attempt uuid NULL,
    lease_until timestamptz NULL
);
