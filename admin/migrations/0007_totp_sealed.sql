-- TOTP secrets are stored sealed (AES-256-GCM under ADMIN_TOTP_KEY, admin::totp::TotpKey): 1 + 12 + up to 64
-- + 16 bytes. Secrets enrolled before were stored in the clear: the admin seals them when it starts
-- (`totp_sealed` false until then) and never reads one that is not sealed.
ALTER TABLE staff_users
    MODIFY COLUMN totp_secret VARBINARY(128) NULL,
    ADD COLUMN totp_sealed BOOLEAN NOT NULL DEFAULT FALSE AFTER totp_secret;
