-- Bumped by every change of a cart's lines (and of their price snapshots): a change that finds the version it
-- read along with the lines knows those lines are still current, and need not read them again under its lock.
ALTER TABLE carts ADD COLUMN lines_version INT UNSIGNED NOT NULL DEFAULT 0;
