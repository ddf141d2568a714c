-- Inbox: one row per (message, consumer) received, so that a redelivered message is not
-- consumed twice and its outgoing messages are delivered exactly as stored.
CREATE TABLE inbox_state (
    message_id TEXT NOT NULL,
    consumer_id TEXT NOT NULL,
    lock_id TEXT NOT NULL,
    received TEXT NOT NULL,
    receive_count INTEGER NOT NULL,
    consumed TEXT NULL,
    delivered TEXT NULL,
    last_sequence_number INTEGER NULL,
    PRIMARY KEY (message_id, consumer_id)
);
CREATE INDEX ix_inbox_state_delivered ON inbox_state (delivered);

-- Outbox: messages a transition sent, committed with it. A row belongs to an inbox row
-- (sent while consuming), or to nobody with enqueue_time set (scheduled: sent when due).
CREATE TABLE outbox_message (
    sequence_number INTEGER PRIMARY KEY AUTOINCREMENT,
    enqueue_time TEXT NULL,
    sent_time TEXT NOT NULL,
    headers TEXT NULL,
    properties TEXT NULL,
    inbox_message_id TEXT NULL,
    inbox_consumer_id TEXT NULL,
    message_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    message_type TEXT NOT NULL,
    body TEXT NOT NULL,
    conversation_id TEXT NULL,
    correlation_id TEXT NULL,
    initiator_id TEXT NULL,
    request_id TEXT NULL,
    source_address TEXT NULL,
    destination_address TEXT NULL,
    response_address TEXT NULL,
    fault_address TEXT NULL,
    expiration_time TEXT NULL
);
CREATE INDEX ix_outbox_message_inbox ON outbox_message (inbox_message_id, inbox_consumer_id, sequence_number);
CREATE INDEX ix_outbox_message_enqueue_time ON outbox_message (enqueue_time);
