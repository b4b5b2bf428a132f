//! Releases reservations that expired without a commit (a checkout that never came back), so their stock
//! returns to sale. Safe with several replicas: each release locks the reservation and re-checks its state.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::stock::{Stock, StockError};

/// Expired reservations released per pass.
const PER_PASS: u32 = 100;

pub async fn run(stock: Stock, every: Duration, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        match sweep(&stock).await {
            Ok(0) => {}
            Ok(released) => tracing::info!(released, "released expired reservations"),
            Err(err) => {
                tracing::warn!(error = %err, "sweeping expired reservations failed; retrying next pass")
            }
        }
    }
}

/// Releases every expired reservation (in passes of [`PER_PASS`]); returns how many.
pub async fn sweep(stock: &Stock) -> Result<usize, StockError> {
    let mut released = 0;
    loop {
        let orders = stock.expired(PER_PASS).await?;
        for order_number in &orders {
            stock.expire(order_number).await?;
            metrics::counter!("catalog_reservations_expired_total").increment(1);
        }
        released += orders.len();
        if orders.len() < PER_PASS as usize {
            return Ok(released);
        }
    }
}
