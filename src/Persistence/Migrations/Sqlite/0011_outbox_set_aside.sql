-- Stored messages the broker kept refusing while it took the others: moved here, whole and with the reason, so that
-- they never hold up the outbox; an operator reads, fixes and sends them again.
CREATE TABLE outbox_set_aside (
    sequence_number INTEGER NOT NULL PRIMARY KEY,
    message_id TEXT NOT NULL,
    message_type TEXT NOT NULL,
    destination_address TEXT NULL,
    headers TEXT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    set_aside_at TEXT NOT NULL
);
