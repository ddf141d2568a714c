-- The W3C trace context (traceparent) of the request that opened the payout, so that webhooks
-- arriving later continue the payout's trace.
ALTER TABLE payout_saga ADD trace_parent nvarchar(55) NULL;
