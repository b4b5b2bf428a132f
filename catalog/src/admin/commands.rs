//! What the catalog's admin commands share, now in `platform::admin_commands` (checkout's admin commands run
//! the same way): the transaction each runs in, how a refusal becomes its reply, the retry of a transaction a
//! lock conflict rolled back, and how an endpoint of `rpc.catalog.admin` is added and served.
//!
//! A command runs as `platform::admin_commands` describes: [`begin`], `claim` the key (a replay answers at
//! once), decide and write, then [`finish`]: an accepted command records its reply and commits with its change;
//! a [`Refused`] one rolls back, its claim included, so the corrected form can be sent again with the same key.
//! [`carry_out`] is that whole sequence around the part that decides and writes.

use std::future::Future;

pub(crate) use platform::admin_commands::{
    Refused, begin, carry_out, carry_out_in, finish, retrying,
};
use platform::{Runtime, contracts::catalog_admin::RPC_GROUP};
use serde::{Serialize, de::DeserializeOwned};

/// Adds the endpoint answering `subject` (under `group`, the catalog's admin group) and answers it with
/// `handler` until shutdown; a database failure is a 503 service error ("try again").
pub(crate) async fn serve_endpoint<Req, Resp, F, Fut>(
    runtime: &Runtime,
    group: &async_nats::service::Group,
    subject: &'static str,
    description: &'static str,
    handler: F,
) -> anyhow::Result<()>
where
    Req: DeserializeOwned + Send + 'static,
    Resp: Serialize + Send + 'static,
    F: Fn(Req) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Resp, sqlx::Error>> + Send + 'static,
{
    platform::admin_commands::serve_endpoint(
        runtime,
        (group, RPC_GROUP),
        subject,
        description,
        handler,
    )
    .await
}
