-- Who did what, when, from where, to which record, with the record before and after: every write of the
-- admin, every login outcome and every refused action. Append-only: the admin has no code that updates or
-- deletes a row. `staff_email` is copied so that an entry still reads right after the person is renamed or
-- for a login attempt on an email that has no account.
CREATE TABLE audit_log (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    staff_id BIGINT UNSIGNED NULL,
    staff_email VARCHAR(254) NOT NULL,
    ip VARCHAR(45) NOT NULL,
    user_agent VARCHAR(255) NOT NULL,
    action VARCHAR(64) NOT NULL,
    target_type VARCHAR(64) NOT NULL DEFAULT '',
    target_id VARCHAR(128) NOT NULL DEFAULT '',
    outcome ENUM('ok', 'refused', 'failed') NOT NULL,
    before_json JSON NULL,
    after_json JSON NULL,
    detail VARCHAR(1000) NOT NULL DEFAULT '',
    KEY audit_log_at (at),
    KEY audit_log_staff (staff_email, id),
    KEY audit_log_action (action, id),
    KEY audit_log_target (target_type, target_id, id),
    KEY audit_log_staff_id (staff_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
