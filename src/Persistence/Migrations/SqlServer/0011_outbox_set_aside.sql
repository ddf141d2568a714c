-- Stored messages the broker kept refusing while it took the others: moved here, whole and with the reason, so that
-- they never hold up the outbox; an operator reads, fixes and sends them again.
CREATE TABLE outbox_set_aside (
    sequence_number bigint NOT NULL PRIMARY KEY,
    message_id uniqueidentifier NOT NULL,
    message_type nvarchar(max) NOT NULL,
    destination_address nvarchar(256) NULL,
    headers nvarchar(max) NULL,
    body nvarchar(max) NOT NULL,
    reason nvarchar(max) NOT NULL,
    set_aside_at datetime2 NOT NULL
);
