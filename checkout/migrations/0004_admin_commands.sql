-- Admin commands already carried out, by idempotency key (platform::admin_commands). A row is written in the
-- same transaction as the change it records, with the reply the admin got: a repeated key replays that reply.
CREATE TABLE admin_commands (
    idempotency_key CHAR(36)        CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    -- The subject the command came on and a hash of its body: one key cannot stand for two commands.
    endpoint        VARCHAR(128)    NOT NULL,
    request_hash    BINARY(32)      NOT NULL,
    reply           JSON            NULL,
    staff_id        BIGINT UNSIGNED NOT NULL,
    created_at      DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_admin_commands_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
