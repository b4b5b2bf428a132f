-- The test suite's user: creates and drops a scratch database per test (names start with t_).
CREATE USER IF NOT EXISTS 'shop_test'@'%' IDENTIFIED BY 'shop_test';
GRANT ALL PRIVILEGES ON *.* TO 'shop_test'@'%';
CREATE USER IF NOT EXISTS 'shop_test'@'localhost' IDENTIFIED BY 'shop_test';
GRANT ALL PRIVILEGES ON *.* TO 'shop_test'@'localhost';
