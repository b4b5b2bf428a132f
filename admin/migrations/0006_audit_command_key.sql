-- The idempotency key of the command an entry records: a double-submitted form is answered again by the owning
-- service (which changed nothing the second time) and its entry is not written twice.
ALTER TABLE audit_log
    ADD COLUMN command_key CHAR(36) NULL AFTER detail,
    ADD UNIQUE KEY audit_log_command_key (command_key);
