//! Calls to the catalog over NATS, each with an explicit timeout: checkout never waits on the catalog for
//! longer than `CATALOG_TIMEOUT_MS`.

use std::time::Duration;

use platform::{
    contracts::catalog::{
        COMMIT, OrderStockRequest, QUOTE, QuoteReply, QuoteRequest, QuoteResponse, RELEASE,
        RESERVE, ReserveRequest, StockLine, StockOutcome, StockRejection, StockReply,
    },
    rpc::{RpcError, call},
};

/// Why the catalog did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Down, slow or unreachable: try again later (503).
    #[error("the catalog is unavailable: {0}")]
    Unavailable(String),
    /// It answered no.
    #[error("the catalog refused: {0}")]
    Rejected(StockRejection),
}

impl From<RpcError> for CatalogError {
    fn from(err: RpcError) -> Self {
        Self::Unavailable(err.to_string())
    }
}

#[derive(Debug, Clone)]
pub struct CatalogClient {
    nats: async_nats::Client,
    timeout: Duration,
}

impl CatalogClient {
    pub fn new(nats: async_nats::Client, timeout: Duration) -> Self {
        Self { nats, timeout }
    }

    pub async fn quote(&self, skus: Vec<String>) -> Result<QuoteResponse, CatalogError> {
        match call(&self.nats, QUOTE, &QuoteRequest { skus }, self.timeout).await? {
            QuoteReply::Ok(quote) => Ok(quote),
            QuoteReply::Rejected(rejection) => Err(CatalogError::Rejected(rejection)),
        }
    }

    pub async fn reserve(
        &self,
        order_number: &str,
        lines: Vec<StockLine>,
    ) -> Result<StockOutcome, CatalogError> {
        let request = ReserveRequest {
            order_number: order_number.to_owned(),
            lines,
            ttl_secs: None,
        };
        stock(call(&self.nats, RESERVE, &request, self.timeout).await?)
    }

    pub async fn release(&self, order_number: &str) -> Result<StockOutcome, CatalogError> {
        let request = OrderStockRequest {
            order_number: order_number.to_owned(),
        };
        stock(call(&self.nats, RELEASE, &request, self.timeout).await?)
    }

    pub async fn commit(&self, order_number: &str) -> Result<StockOutcome, CatalogError> {
        let request = OrderStockRequest {
            order_number: order_number.to_owned(),
        };
        stock(call(&self.nats, COMMIT, &request, self.timeout).await?)
    }
}

fn stock(reply: StockReply) -> Result<StockOutcome, CatalogError> {
    match reply {
        StockReply::Ok(outcome) => Ok(outcome),
        StockReply::Rejected(rejection) => Err(CatalogError::Rejected(rejection)),
    }
}
