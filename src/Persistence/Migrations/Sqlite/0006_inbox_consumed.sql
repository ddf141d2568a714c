-- Inbox rows are removed a retention period after they were consumed (the messages they sent go out
-- from memory and their delivery is no longer written back), so the clean-up looks them up by that.
CREATE INDEX ix_inbox_state_consumed ON inbox_state (consumed);
