-- Stored messages the broker kept refusing while it took the others: moved here, whole and with the reason, so that
-- they never hold up the outbox; an operator reads, fixes and sends them again.
CREATE TABLE outbox_set_aside (
    sequence_number bigint PRIMARY KEY,
    message_id uuid NOT NULL,
    message_type text NOT NULL,
    destination_address varchar(256) NULL,
    headers text NULL,
    body text NOT NULL,
    reason text NOT NULL,
    set_aside_at timestamptz NOT NULL
);
