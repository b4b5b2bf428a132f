-- `processed_events` was meant as a generic idempotency record, but no code ever wrote or read it: this
-- service's own table (see its crate docs) is what makes a redelivered event harmless. Only its retention
-- purge touched it, so it goes, and with it the PROCESSED_EVENTS_RETENTION_DAYS setting.
DROP TABLE IF EXISTS processed_events;
