-- Shopper accounts. Every secret is stored as a hash: passwords as argon2id PHC strings, session ids and the
-- links' tokens as SHA-256 (platform::tokens), so a copy of these tables lets nobody in.
CREATE TABLE customers (
    id                  CHAR(36)      NOT NULL PRIMARY KEY,
    -- Trimmed and lower case: one account per address however it is typed.
    email               VARCHAR(254)  NOT NULL,
    name                VARCHAR(100)  NOT NULL,
    -- The password of the latest sign-up until the address is confirmed, then the account's password.
    password_hash       VARCHAR(255)  NOT NULL,
    email_verified_at   DATETIME(6)   NULL,
    password_changed_at DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    -- When the owner was last told that someone signed up with their address (at most one such email a day).
    sign_up_notice_at   DATETIME(6)   NULL,
    created_at          DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_customers_email (email)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A signed-in browser: the cookie holds the id, this table its SHA-256.
CREATE TABLE sessions (
    id_hash      BINARY(32)   NOT NULL PRIMARY KEY,
    customer_id  CHAR(36)     NOT NULL,
    ip           VARCHAR(45)  NOT NULL,
    user_agent   VARCHAR(255) NOT NULL,
    created_at   DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_seen_at DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_sessions_customer (customer_id),
    KEY ix_sessions_last_seen (last_seen_at),
    KEY ix_sessions_created (created_at),
    CONSTRAINT fk_sessions_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The links emailed to confirm an address (`verify`) or to reset a password (`reset`): each works once and
-- until it expires. A verification link carries the password of the sign-up that asked for it, so whoever
-- opens the latest link gets the password they chose, not one set by someone else in between.
CREATE TABLE email_tokens (
    token_hash    BINARY(32)             NOT NULL PRIMARY KEY,
    customer_id   CHAR(36)               NOT NULL,
    purpose       ENUM('verify','reset') NOT NULL,
    password_hash VARCHAR(255)           NULL,
    created_at    DATETIME(6)            NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at    DATETIME(6)            NOT NULL,
    used_at       DATETIME(6)            NULL,
    KEY ix_email_tokens_customer (customer_id, purpose, created_at),
    KEY ix_email_tokens_expires (expires_at),
    CONSTRAINT fk_email_tokens_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
