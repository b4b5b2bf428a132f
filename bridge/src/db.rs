//! The `forwarded_events` table: which event ids SQS has already accepted.
//!
//! The primary key is the event id, and recording is idempotent (`ON DUPLICATE KEY UPDATE` keeps the first
//! row), so two replicas recording the same event both succeed and both ack.

use std::collections::HashSet;

use sqlx::{AssertSqlSafe, MySqlPool, QueryBuilder, Row as _};
use uuid::Uuid;

/// One event SQS accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarded<'a> {
    pub event_id: Uuid,
    pub order_number: &'a str,
    pub sqs_message_id: &'a str,
}

/// The ids among `event_ids` that were forwarded before.
pub async fn already_forwarded(
    pool: &MySqlPool,
    event_ids: &[Uuid],
) -> sqlx::Result<HashSet<Uuid>> {
    if event_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT event_id FROM forwarded_events WHERE event_id IN ({})",
        vec!["?"; event_ids.len()].join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in event_ids {
        query = query.bind(id.hyphenated().to_string());
    }
    let rows = query.fetch_all(pool).await?;
    let mut found = HashSet::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get("event_id")?;
        // A row this code did not write cannot be one of the ids asked for anyway.
        if let Ok(id) = Uuid::parse_str(&id) {
            found.insert(id);
        }
    }
    Ok(found)
}

/// Records `events` as forwarded; an id recorded before keeps its first row.
pub async fn record_forwarded(pool: &MySqlPool, events: &[Forwarded<'_>]) -> sqlx::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut insert =
        QueryBuilder::new("INSERT INTO forwarded_events (event_id, order_number, sqs_message_id) ");
    insert.push_values(events, |mut row, event| {
        row.push_bind(event.event_id.hyphenated().to_string())
            .push_bind(event.order_number)
            .push_bind(event.sqs_message_id);
    });
    insert.push(" ON DUPLICATE KEY UPDATE event_id = event_id");
    insert.build().execute(pool).await?;
    Ok(())
}
