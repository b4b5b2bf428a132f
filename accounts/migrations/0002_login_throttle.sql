-- Failed logins per counter of platform::login_throttle (account and address, account, address), keyed by
-- the counter's SHA-256: no email or address in clear. Rows a day quiet are deleted.
CREATE TABLE login_throttle (
    throttle_key BINARY(32) NOT NULL PRIMARY KEY,
    failures INT UNSIGNED NOT NULL,
    last_failure_at DATETIME(6) NOT NULL,
    KEY login_throttle_last_failure (last_failure_at)
) ENGINE = InnoDB;
