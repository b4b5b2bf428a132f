-- A list page's filters saved under a name by one staff member: the page (`products`, `audit`, ...) and its
-- query string, opened again as a link.
CREATE TABLE saved_views (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    staff_id BIGINT UNSIGNED NOT NULL,
    page VARCHAR(64) NOT NULL,
    name VARCHAR(100) NOT NULL,
    query_string VARCHAR(2000) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY saved_views_name (staff_id, page, name),
    CONSTRAINT saved_views_staff FOREIGN KEY (staff_id) REFERENCES staff_users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
