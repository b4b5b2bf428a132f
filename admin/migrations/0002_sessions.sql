-- Signed-in browsers. Only the SHA-256 of the session id is stored: a copy of this table signs nobody in.
-- A session ends when it has been idle too long (`last_seen_at`), at its absolute end (`created_at`), at
-- sign-out, or when its staff member is disabled or their role or password changes (deleted by staff_id).
CREATE TABLE sessions (
    id_hash BINARY(32) NOT NULL PRIMARY KEY,
    staff_id BIGINT UNSIGNED NOT NULL,
    csrf_token CHAR(43) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_seen_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    ip VARCHAR(45) NOT NULL,
    user_agent VARCHAR(255) NOT NULL,
    KEY sessions_staff (staff_id),
    KEY sessions_created (created_at),
    KEY sessions_last_seen (last_seen_at),
    CONSTRAINT sessions_staff FOREIGN KEY (staff_id) REFERENCES staff_users (id)
) ENGINE = InnoDB;
