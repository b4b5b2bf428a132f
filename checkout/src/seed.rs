//! Synthetic order history for measuring the admin's order list and reports at scale (`checkout seed-orders
//! N`): N orders spread evenly over the last 365 days, in set-based statements over MariaDB's sequence engine
//! (`seq_1_to_N`), a chunk at a time. Run it on a database of its own (a benchmark copy), never a shop's: the
//! orders are made up, their SKUs (`SEED-0000` to `SEED-0499`) are in no catalog, and no event is written for
//! them.
//!
//! Each order has one to three lines, a charge payment, the state history of a placed and paid order, and a
//! state drawn from a fixed mix (3% payment failed, 3% cancelled and refunded, 2% refunded, 52% delivered, 20%
//! shipped, 10% processing, 10% paid). Amounts follow checkout's rules: standard or express shipping, 8% tax.
//! The daily summaries are rebuilt from the orders at the end ([`crate::db::reports::rebuild`]), as the
//! migration that introduced them does.

use sqlx::{AssertSqlSafe, MySqlPool};

use crate::domain::CURRENCY;

/// Orders per chunk: each chunk is a few statements of this many rows.
const CHUNK: u64 = 50_000;
/// Distinct made-up products the lines are drawn from.
const SKUS: u64 = 500;
/// The tax rate of the seeded orders (the one of `./dev up`).
const TAX: &str = "0.08";

/// Adds `count` orders; answers how many there are now.
pub async fn seed_orders(pool: &MySqlPool, count: u64) -> Result<u64, sqlx::Error> {
    // One clock for every chunk: order i is placed `i * step` seconds after a year ago.
    let (now,): (i64,) = sqlx::query_as("SELECT CAST(UNIX_TIMESTAMP() AS SIGNED)")
        .fetch_one(pool)
        .await?;
    let start = now - 365 * 86_400;
    let step = (365.0 * 86_400.0) / count.max(1) as f64;
    let mut done = 0;
    while done < count {
        let first = done + 1;
        let last = (done + CHUNK).min(count);
        seed_chunk(pool, (first, last, count), start, step).await?;
        tracing::info!(seeded = last, of = count, "orders");
        done = last;
    }
    crate::db::reports::rebuild(pool).await?;
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders")
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(total).unwrap_or_default())
}

/// The 8-character order number of sequence number `n`: its bits mixed by an odd multiplier modulo 2^40 (one
/// to one, so numbers never repeat), written in the order numbers' alphabet.
fn number_sql(n: &str) -> String {
    let mixed = format!("(({n} * 2654435761) MOD 1099511627776)");
    let chars: Vec<String> = (0..8)
        .rev()
        .map(|i| {
            format!(
                "SUBSTRING('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (({mixed} >> {}) & 31), 1)",
                i * 5
            )
        })
        .collect();
    format!("CONCAT('SH-', {})", chars.join(", "))
}

async fn seed_chunk(
    pool: &MySqlPool,
    (first, last, count): (u64, u64, u64),
    start: i64,
    step: f64,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let (before,): (i64,) =
        sqlx::query_as("SELECT CAST(COALESCE(MAX(id), 0) AS SIGNED) FROM orders")
            .fetch_one(&mut *tx)
            .await?;
    let number = number_sql("s.seq");
    let names = "ELT(1 + s.seq MOD 12, 'Ana', 'Bo', 'Chen', 'Dara', 'Eli', 'Fatima', 'Gus', 'Hana', 'Ivo', \
                 'Jules', 'Kai', 'Lena')";
    let surnames = "ELT(1 + (s.seq DIV 12) MOD 10, 'Silva', 'Berg', 'Okafor', 'Novak', 'Tanaka', 'Moreau', \
                    'Haddad', 'Kowalski', 'Reyes', 'Lund')";
    // Orders of the last three days are still being handled; older ones are done.
    let recent = count - count * 3 / 365;
    let state = format!(
        "CASE WHEN s.seq MOD 100 < 3 THEN 'payment_failed' WHEN s.seq MOD 100 < 6 THEN 'cancelled' \
         WHEN s.seq MOD 100 < 8 THEN 'refunded' WHEN s.seq <= {recent} THEN 'delivered' \
         WHEN s.seq MOD 100 < 40 THEN 'paid' WHEN s.seq MOD 100 < 70 THEN 'processing' ELSE 'shipped' END"
    );
    let payment = "CASE WHEN s.seq MOD 100 < 3 THEN 'failed' WHEN s.seq MOD 100 < 8 THEN 'refunded' \
                   ELSE 'paid' END";
    let placed =
        format!("FROM_UNIXTIME({start} + FLOOR(s.seq * {step}) + (s.seq MOD 1000) / 1000)");
    let orders = format!(
        "INSERT INTO orders (number, lookup_token_hash, email, customer_name, address_line1, city, postal_code, \
         country, shipping_method, subtotal, shipping, tax, total, currency, state, payment_status, \
         stock_settled, created_at, updated_at) \
         SELECT {number}, UNHEX(SHA2(CONCAT('seeded order ', s.seq), 256)), \
         CONCAT('shopper', s.seq MOD 200000, '@example.com'), CONCAT({names}, ' ', {surnames}), \
         CONCAT(1 + s.seq MOD 999, ' Market Street'), \
         ELT(1 + s.seq MOD 6, 'Springfield', 'Riverside', 'Fairview', 'Madison', 'Georgetown', 'Salem'), \
         LPAD(s.seq MOD 100000, 5, '0'), 'US', IF(s.seq MOD 5 = 0, 'express', 'standard'), \
         0, IF(s.seq MOD 5 = 0, 14.99, 4.99), 0, 0, '{CURRENCY}', {state}, {payment}, TRUE, {placed}, {placed} \
         FROM seq_{first}_to_{last} s ORDER BY s.seq"
    );
    sqlx::query(AssertSqlSafe(orders)).execute(&mut *tx).await?;

    // One to three lines per order, each a made-up product at its own price.
    let sku = format!("((o.id * 31 + k.seq * 17) MOD {SKUS})");
    let price = format!("(4.99 + ({sku} * 7) MOD 200)");
    let quantity = "(1 + (o.id + k.seq) MOD 3)";
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO order_items (order_id, line_no, sku, name, unit_price, quantity, line_total, created_at) \
         SELECT o.id, k.seq + 1, CONCAT('SEED-', LPAD({sku}, 4, '0')), CONCAT('Seeded product ', {sku}), \
         {price}, {quantity}, {price} * {quantity}, o.created_at \
         FROM orders o JOIN seq_0_to_2 k ON k.seq <= o.id MOD 3 WHERE o.id > ?"
    )))
    .bind(before)
    .execute(&mut *tx)
    .await?;
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE orders o JOIN (SELECT order_id, SUM(line_total) AS subtotal FROM order_items \
         WHERE order_id > ? GROUP BY order_id) i ON i.order_id = o.id \
         SET o.subtotal = i.subtotal, o.tax = ROUND(i.subtotal * {TAX}, 2), \
         o.total = i.subtotal + o.shipping + ROUND(i.subtotal * {TAX}, 2), \
         o.refunded_total = IF(o.payment_status = 'refunded', i.subtotal + o.shipping + ROUND(i.subtotal * {TAX}, 2), 0)"
    )))
    .bind(before)
    .execute(&mut *tx)
    .await?;

    sqlx::query(
        "INSERT INTO payments (order_id, kind, provider, reference, state, amount, currency, actor, created_at, \
         updated_at) \
         SELECT id, 'charge', 'mockpay', CONCAT('seed-', id), IF(state = 'payment_failed', 'declined', 'succeeded'), \
         total, currency, 'shopper', created_at, created_at FROM orders WHERE id > ?",
    )
    .bind(before)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO payments (order_id, kind, provider, reference, state, amount, currency, reason, actor, \
         created_at, updated_at) \
         SELECT id, 'refund', 'mockpay', CONCAT('seed-refund-', id), 'succeeded', refunded_total, currency, \
         'seeded', 'seed@shop.local', created_at + INTERVAL 1 DAY, created_at + INTERVAL 1 DAY \
         FROM orders WHERE id > ? AND refunded_total > 0",
    )
    .bind(before)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO order_state_history (order_id, from_state, to_state, reason, actor, created_at) \
         SELECT id, NULL, 'pending', 'placed', 'shopper', created_at FROM orders WHERE id > ? \
         UNION ALL \
         SELECT id, 'pending', IF(state = 'payment_failed', 'payment_failed', 'paid'), NULL, 'shopper', created_at \
         FROM orders WHERE id > ?",
    )
    .bind(before)
    .bind(before)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
