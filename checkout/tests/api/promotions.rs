//! Promotions' uses are counted with the order, atomically: a promotion or a code at its limit refuses the
//! next order however many race for the last use, a customer's limit holds, and a released order gives its
//! use back.

use checkout::db::promotions::{Redemption, Refusal, redeem, release};
use rust_decimal::Decimal;
use sha2::{Digest as _, Sha256};

use crate::helpers::spawn_shop;

async fn promotion(
    pool: &sqlx::MySqlPool,
    max_uses: Option<u32>,
    per_customer: Option<u32>,
) -> u64 {
    let id = sqlx::query(
        "INSERT INTO promotions (name, kind, value, max_uses, max_uses_per_customer) \
         VALUES ('Ten off', 'amount_off', 10, ?, ?)",
    )
    .bind(max_uses)
    .bind(per_customer)
    .execute(pool)
    .await
    .unwrap()
    .last_insert_id();
    sqlx::query("INSERT INTO promotion_codes (code, promotion_id, max_uses) VALUES (?, ?, NULL)")
        .bind(format!("CODE-{id}"))
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    id
}

fn customer(email: &str) -> [u8; 32] {
    Sha256::digest(email.as_bytes()).into()
}

/// One order's transaction redeeming the promotion; committed when counted.
async fn order(
    pool: &sqlx::MySqlPool,
    promotion_id: u64,
    code: Option<&str>,
    number: &str,
    email: &str,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await.unwrap();
    let outcome = redeem(
        &mut tx,
        &Redemption {
            promotion_id,
            code,
            order_number: number,
            customer_key: customer(email),
            amount: Decimal::TEN,
        },
    )
    .await
    .unwrap();
    match outcome {
        Ok(()) => tx.commit().await.unwrap(),
        Err(_) => tx.rollback().await.unwrap(),
    }
    outcome
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_orders_racing_for_the_last_three_uses_get_exactly_three() {
    let shop = spawn_shop().await;
    let pool = &shop.checkout.pool;
    let id = promotion(pool, Some(3), None).await;
    let code = format!("CODE-{id}");
    let racers = (0..200).map(|i| {
        let code = code.clone();
        async move {
            order(
                pool,
                id,
                Some(&code),
                &format!("SH-R{i}"),
                &format!("s{i}@example.com"),
            )
            .await
        }
    });
    let outcomes = futures::future::join_all(racers).await;
    assert_eq!(outcomes.iter().filter(|outcome| outcome.is_ok()).count(), 3);
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Ok(()) | Err(Refusal::UsedUp)))
    );
    let (uses, held): (u32, i64) = sqlx::query_as(
        "SELECT p.uses, (SELECT COUNT(*) FROM redemptions r WHERE r.promotion_id = p.id AND r.state = 'held') \
         FROM promotions p WHERE p.id = ?",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((uses, held), (3, 3));

    // A failed order gives its use back, once however often it is released.
    let winner: String = sqlx::query_scalar(
        "SELECT order_number FROM redemptions WHERE promotion_id = ? ORDER BY id LIMIT 1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    for _ in 0..2 {
        let mut tx = pool.begin().await.unwrap();
        release(&mut tx, &winner).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(
        order(pool, id, Some(&code), "SH-LATE", "late@example.com").await,
        Ok(())
    );
    assert_eq!(
        order(pool, id, Some(&code), "SH-LATER", "later@example.com").await,
        Err(Refusal::UsedUp)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_single_use_code_and_a_per_customer_limit_hold_under_concurrency() {
    let shop = spawn_shop().await;
    let pool = &shop.checkout.pool;
    let id = promotion(pool, None, Some(1)).await;
    sqlx::query(
        "INSERT INTO promotion_codes (code, promotion_id, max_uses) VALUES ('ONCE-ONLY', ?, 1)",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
    let racers = (0..50).map(|i| async move {
        order(
            pool,
            id,
            Some("ONCE-ONLY"),
            &format!("SH-C{i}"),
            &format!("c{i}@example.com"),
        )
        .await
    });
    let outcomes = futures::future::join_all(racers).await;
    assert_eq!(outcomes.iter().filter(|outcome| outcome.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Ok(()) | Err(Refusal::CodeUsedUp)))
    );

    // One customer, ten orders at once with the shared code: one counts.
    let code = format!("CODE-{id}");
    let same = (0..10).map(|i| {
        let code = code.clone();
        async move {
            order(
                pool,
                id,
                Some(&code),
                &format!("SH-S{i}"),
                "ann@example.com",
            )
            .await
        }
    });
    let outcomes = futures::future::join_all(same).await;
    assert_eq!(outcomes.iter().filter(|outcome| outcome.is_ok()).count(), 1);
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Ok(()) | Err(Refusal::CustomerLimit)))
    );
    let uses: u32 = sqlx::query_scalar("SELECT uses FROM promotions WHERE id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(uses, 2, "the refused orders counted nothing");
}
