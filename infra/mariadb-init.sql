-- One schema and one user per service; a service never reads another's schema.
-- Local development passwords only: production passwords come from SSM Parameter Store (see README).
-- Safe to run again: every statement is idempotent.
CREATE DATABASE IF NOT EXISTS catalog CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS checkout CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS mailer CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS search_indexer CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS bridge CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'catalog'@'%' IDENTIFIED BY 'catalog';
CREATE USER IF NOT EXISTS 'checkout'@'%' IDENTIFIED BY 'checkout';
CREATE USER IF NOT EXISTS 'mailer'@'%' IDENTIFIED BY 'mailer';
CREATE USER IF NOT EXISTS 'search_indexer'@'%' IDENTIFIED BY 'search_indexer';
CREATE USER IF NOT EXISTS 'bridge'@'%' IDENTIFIED BY 'bridge';

GRANT ALL PRIVILEGES ON catalog.* TO 'catalog'@'%';
GRANT ALL PRIVILEGES ON checkout.* TO 'checkout'@'%';
GRANT ALL PRIVILEGES ON mailer.* TO 'mailer'@'%';
GRANT ALL PRIVILEGES ON search_indexer.* TO 'search_indexer'@'%';
GRANT ALL PRIVILEGES ON bridge.* TO 'bridge'@'%';
