//! The typed client of the catalog's admin endpoints (`rpc.catalog.admin.*`): every read and write of the
//! catalog pages goes through [`CatalogClient::call`]. The admin's NATS user may publish only to those
//! subjects and to checkout's dead-letter endpoints (`rpc.checkout.admin.deadletters.*`, infra/nats-server.conf),
//! which the dead-letters page calls with the same client: a call is a subject and a body, whoever answers.
//!
//! A reply is an [`AdminReply`]: `Ok`, or a refusal the page shows (invalid fields next to their inputs, a
//! conflict, not found). When the catalog cannot answer (down, slow, its database failing) the call is an
//! [`AdminError::Unavailable`]: the page says "try again" with 503 and `Retry-After`.

use std::time::Duration;

use platform::{
    contracts::admin::{Actor, AdminReply, Command},
    rpc::RpcError,
};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::http::{error::AdminError, extract::CurrentSession};

#[derive(Debug, Clone)]
pub struct CatalogClient {
    nats: async_nats::Client,
    timeout: Duration,
}

impl CatalogClient {
    pub fn new(nats: async_nats::Client, timeout: Duration) -> Self {
        Self { nats, timeout }
    }

    /// Sends `request` (a [`Command`] for a write, a query for a read) to `subject` and decodes the reply.
    pub async fn call<Req, Resp>(
        &self,
        subject: &str,
        request: &Req,
    ) -> Result<AdminReply<Resp>, AdminError>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
    {
        platform::rpc::call(&self.nats, subject, request, self.timeout)
            .await
            .map_err(|err| match err {
                err if err.is_unavailable() => {
                    tracing::warn!(error = %err, subject, "the service did not answer");
                    AdminError::Unavailable
                }
                RpcError::Service { code, status } => AdminError::Internal(anyhow::anyhow!(
                    "{subject} refused the request: {status} ({code})"
                )),
                err => AdminError::Internal(anyhow::anyhow!("{subject}: {err}")),
            })
    }
}

/// The command for `body` on behalf of the signed-in staff member, with the idempotency key the form carried.
pub fn command<T>(session: &CurrentSession, idempotency_key: Uuid, body: T) -> Command<T> {
    Command {
        idempotency_key,
        actor: Actor {
            staff_id: session.staff.id,
            email: session.staff.email.clone(),
        },
        body,
    }
}
