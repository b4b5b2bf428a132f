//! The dead letters of order events, for the web admin (`rpc.checkout.admin.deadletters.*`, contract in
//! `platform::contracts::dead_letters`): checkout publishes `orders.>`, so it is the one that may replay them.
//! The work is the platform's ([`platform::consumer::replay`]); replays and discards claim their idempotency
//! key in this service's `admin_commands` table.

use platform::{Runtime, consumer::replay, contracts::dead_letters::CHECKOUT};

/// Adds the dead-letter endpoints to checkout's NATS service and answers them until shutdown.
pub async fn start(runtime: &Runtime) -> anyhow::Result<()> {
    replay::serve_endpoints(runtime, CHECKOUT).await
}
