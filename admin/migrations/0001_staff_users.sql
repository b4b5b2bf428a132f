-- The people who use the web admin. The email is compared without regard to case (the collation), the
-- password is an argon2id PHC string (platform::password), and the TOTP secret is null until the person
-- enrols a second factor. `totp_last_step` is the time step of the last code accepted: a code is never
-- accepted twice. Nobody is ever deleted (the audit log names them): they are disabled.
CREATE TABLE staff_users (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(254) NOT NULL,
    role ENUM('owner', 'staff', 'viewer') NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    totp_secret VARBINARY(64) NULL,
    totp_last_step BIGINT NULL,
    disabled_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    version INT UNSIGNED NOT NULL DEFAULT 1,
    UNIQUE KEY staff_users_email (email)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
