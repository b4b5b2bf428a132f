-- One schema and one user per service; a service never reads another's schema.
-- Local development passwords only: production passwords come from SSM Parameter Store (see README).
-- Safe to run again: every statement is idempotent. Each user exists for '%' and for 'localhost': a server with
-- anonymous ''@'localhost' accounts (fresh mariadb-install-db) would otherwise shadow '%' for local clients.
CREATE DATABASE IF NOT EXISTS catalog CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS checkout CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS mailer CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS search_indexer CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS bridge CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS admin CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE USER IF NOT EXISTS 'catalog'@'%' IDENTIFIED BY 'catalog';
CREATE USER IF NOT EXISTS 'catalog'@'localhost' IDENTIFIED BY 'catalog';
CREATE USER IF NOT EXISTS 'checkout'@'%' IDENTIFIED BY 'checkout';
CREATE USER IF NOT EXISTS 'checkout'@'localhost' IDENTIFIED BY 'checkout';
CREATE USER IF NOT EXISTS 'mailer'@'%' IDENTIFIED BY 'mailer';
CREATE USER IF NOT EXISTS 'mailer'@'localhost' IDENTIFIED BY 'mailer';
CREATE USER IF NOT EXISTS 'search_indexer'@'%' IDENTIFIED BY 'search_indexer';
CREATE USER IF NOT EXISTS 'search_indexer'@'localhost' IDENTIFIED BY 'search_indexer';
CREATE USER IF NOT EXISTS 'bridge'@'%' IDENTIFIED BY 'bridge';
CREATE USER IF NOT EXISTS 'bridge'@'localhost' IDENTIFIED BY 'bridge';
CREATE USER IF NOT EXISTS 'admin'@'%' IDENTIFIED BY 'admin';
CREATE USER IF NOT EXISTS 'admin'@'localhost' IDENTIFIED BY 'admin';

GRANT ALL PRIVILEGES ON catalog.* TO 'catalog'@'%';
GRANT ALL PRIVILEGES ON catalog.* TO 'catalog'@'localhost';
GRANT ALL PRIVILEGES ON checkout.* TO 'checkout'@'%';
GRANT ALL PRIVILEGES ON checkout.* TO 'checkout'@'localhost';
GRANT ALL PRIVILEGES ON mailer.* TO 'mailer'@'%';
GRANT ALL PRIVILEGES ON mailer.* TO 'mailer'@'localhost';
GRANT ALL PRIVILEGES ON search_indexer.* TO 'search_indexer'@'%';
GRANT ALL PRIVILEGES ON search_indexer.* TO 'search_indexer'@'localhost';
GRANT ALL PRIVILEGES ON bridge.* TO 'bridge'@'%';
GRANT ALL PRIVILEGES ON bridge.* TO 'bridge'@'localhost';
GRANT ALL PRIVILEGES ON admin.* TO 'admin'@'%';
GRANT ALL PRIVILEGES ON admin.* TO 'admin'@'localhost';
