-- Inbox: one row per (message, consumer) received, so that a redelivered message is not
-- consumed twice and its outgoing messages are delivered exactly as stored.
CREATE TABLE inbox_state (
    message_id uniqueidentifier NOT NULL,
    consumer_id uniqueidentifier NOT NULL,
    lock_id uniqueidentifier NOT NULL,
    received datetime2 NOT NULL,
    receive_count int NOT NULL,
    consumed datetime2 NULL,
    delivered datetime2 NULL,
    last_sequence_number bigint NULL,
    PRIMARY KEY (message_id, consumer_id)
);
CREATE INDEX ix_inbox_state_delivered ON inbox_state (delivered);

-- Outbox: messages a transition sent, committed with it. A row belongs to an inbox row
-- (sent while consuming), or to nobody with enqueue_time set (scheduled: sent when due).
CREATE TABLE outbox_message (
    sequence_number bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    enqueue_time datetime2 NULL,
    sent_time datetime2 NOT NULL,
    headers nvarchar(max) NULL,
    properties nvarchar(max) NULL,
    inbox_message_id uniqueidentifier NULL,
    inbox_consumer_id uniqueidentifier NULL,
    message_id uniqueidentifier NOT NULL,
    content_type nvarchar(256) NOT NULL,
    message_type nvarchar(max) NOT NULL,
    body nvarchar(max) NOT NULL,
    conversation_id uniqueidentifier NULL,
    correlation_id uniqueidentifier NULL,
    initiator_id uniqueidentifier NULL,
    request_id uniqueidentifier NULL,
    source_address nvarchar(256) NULL,
    destination_address nvarchar(256) NULL,
    response_address nvarchar(256) NULL,
    fault_address nvarchar(256) NULL,
    expiration_time datetime2 NULL
);
CREATE INDEX ix_outbox_message_inbox ON outbox_message (inbox_message_id, inbox_consumer_id, sequence_number);
CREATE INDEX ix_outbox_message_enqueue_time ON outbox_message (enqueue_time) WHERE inbox_message_id IS NULL;
