//! Calls to checkout over NATS (`rpc.checkout.customers.*`), each with an explicit timeout: the accounts
//! service passes the signed-in customer's id, checkout owns the carts and orders. And the catalog's quote
//! (`rpc.catalog.quote`), for the wishlist's current prices.

use std::time::Duration;

use platform::{
    contracts::{
        Email,
        catalog::{QUOTE, QuoteReply, QuoteRequest, QuoteResponse},
        customers::{
            CART, CLAIM, CartLink, CartRequest, ClaimReply, ClaimRequest, FORGET, ForgetReply,
            ForgetRequest, ORDER, ORDERS, OrderReply, OrderRequest, OrdersReply, OrdersRequest,
            REORDER, ReorderReply,
        },
    },
    rpc::{RpcError, call},
};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct CheckoutClient {
    nats: async_nats::Client,
    timeout: Duration,
}

impl CheckoutClient {
    pub fn new(nats: async_nats::Client, timeout: Duration) -> Self {
        Self { nats, timeout }
    }

    /// The customer's cart, with `cart_token`'s cart merged into it.
    pub async fn cart(
        &self,
        customer: Uuid,
        cart_token: Option<String>,
    ) -> Result<CartLink, RpcError> {
        let request = CartRequest {
            customer_id: customer,
            cart_token,
        };
        call(&self.nats, CART, &request, self.timeout).await
    }

    pub async fn orders(
        &self,
        customer: Uuid,
        email: Email,
        before: Option<String>,
        limit: Option<u32>,
    ) -> Result<OrdersReply, RpcError> {
        let request = OrdersRequest {
            customer_id: customer,
            email,
            before,
            limit,
        };
        call(&self.nats, ORDERS, &request, self.timeout).await
    }

    pub async fn order(&self, customer: Uuid, number: &str) -> Result<OrderReply, RpcError> {
        let request = OrderRequest {
            customer_id: customer,
            number: number.to_owned(),
        };
        call(&self.nats, ORDER, &request, self.timeout).await
    }

    pub async fn reorder(&self, customer: Uuid, number: &str) -> Result<ReorderReply, RpcError> {
        let request = OrderRequest {
            customer_id: customer,
            number: number.to_owned(),
        };
        call(&self.nats, REORDER, &request, self.timeout).await
    }

    pub async fn claim(&self, customer: Uuid, email: Email) -> Result<ClaimReply, RpcError> {
        let request = ClaimRequest {
            customer_id: customer,
            email,
        };
        call(&self.nats, CLAIM, &request, self.timeout).await
    }

    pub async fn forget(&self, customer: Uuid) -> Result<ForgetReply, RpcError> {
        let request = ForgetRequest {
            customer_id: customer,
        };
        call(&self.nats, FORGET, &request, self.timeout).await
    }

    /// The catalog's current name, price and stock of `skus`.
    pub async fn quote(&self, skus: Vec<String>) -> Result<QuoteResponse, RpcError> {
        match call(&self.nats, QUOTE, &QuoteRequest { skus }, self.timeout).await? {
            QuoteReply::Ok(quote) => Ok(quote),
            QuoteReply::Rejected(rejection) => Err(RpcError::Service {
                code: 400,
                status: rejection.to_string(),
            }),
        }
    }
}
