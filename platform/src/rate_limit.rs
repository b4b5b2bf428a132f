//! Per-client rate limits for the public API, and the honest client address they key on.
//!
//! A [`RateLimiter`] allows `per_minute` requests a minute per client address, with bursts of up to `burst`
//! (the generic cell rate algorithm: one timestamp per client, no timers). A request over the limit is
//! answered 429 with `Retry-After` as a problem document, and never reaches the handler. IPv6 clients are
//! counted per /64, the block one subscriber usually holds. The table is swept of clients whose allowance is
//! full again, and bounded: when it is full of active clients, new ones are refused rather than letting memory
//! grow (that only happens under an attack from more addresses than the bound).
//!
//! **The client address** is the TCP peer, unless the peer is one of `TRUSTED_PROXIES` (the reverse proxy),
//! in which case it is the address the proxy puts in `X-Forwarded-For`: the right-most one there that is not
//! itself a trusted proxy. A client cannot choose its address by sending the header itself: the header is only
//! read from a trusted peer, and the proxy replaces it (see `infra/nginx`).
//!
//! Each replica counts on its own: with N replicas behind the proxy, a client may get up to N times the limit.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv6Addr, SocketAddr},
    str::FromStr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use ipnet::IpNet;
use serde_json::json;

use crate::http_error::ApiError;

/// Clients remembered at once per limiter.
const MAX_CLIENTS: usize = 100_000;

/// The addresses whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`: comma-separated addresses or CIDR
/// blocks; empty by default, when every client is its TCP peer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        value
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{part:?} is not an IP address or CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|nets| Self(nets.into()))
    }
}

impl TrustedProxies {
    fn contains(&self, address: &IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(address))
    }

    /// The client's address, as the module docs describe.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.contains(&peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(address) if self.contains(&address) => continue,
                Ok(address) => return address,
                // Garbage in the header: nothing left of it can be believed.
                Err(_) => break,
            }
        }
        peer
    }
}

/// A per-client limit on one group of routes.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: &'static str,
    /// Time between requests at the sustained rate.
    interval: Duration,
    /// How far ahead of now a client's theoretical arrival time may run: the burst.
    tolerance: Duration,
    proxies: TrustedProxies,
    clients: Mutex<Clients>,
}

#[derive(Debug, Default)]
struct Clients {
    /// The theoretical arrival time of each client's next request.
    next: HashMap<IpAddr, Instant>,
    swept: Option<Instant>,
}

impl RateLimiter {
    /// `per_minute` requests a minute per client, in bursts of up to `burst`; `None` when `per_minute` is 0
    /// (no limit).
    pub fn new(
        name: &'static str,
        per_minute: u32,
        burst: u32,
        proxies: TrustedProxies,
    ) -> Option<Self> {
        if per_minute == 0 {
            return None;
        }
        let interval = Duration::from_secs(60) / per_minute;
        Some(Self {
            inner: Arc::new(Inner {
                name,
                interval,
                tolerance: interval * burst.max(1).saturating_sub(1),
                proxies,
                clients: Mutex::new(Clients::default()),
            }),
        })
    }

    /// Counts one request of `client`; `Err(wait)` when it is over the limit.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.check_at(client, Instant::now())
    }

    fn check_at(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let inner = &*self.inner;
        let key = bucket(client);
        let mut clients = inner
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let due = clients
            .swept
            .is_none_or(|swept| now.duration_since(swept) > Duration::from_secs(10));
        if due || clients.next.len() >= MAX_CLIENTS {
            // A client whose next arrival time has passed is as good as new.
            clients.next.retain(|_, next| *next > now);
            clients.swept = Some(now);
        }
        let next = clients.next.get(&key).copied().unwrap_or(now).max(now);
        let ahead = next - now;
        if ahead > inner.tolerance {
            return Err(ahead - inner.tolerance);
        }
        if !clients.next.contains_key(&key) && clients.next.len() >= MAX_CLIENTS {
            return Err(inner.interval);
        }
        clients.next.insert(key, next + inner.interval);
        Ok(())
    }

    /// The middleware: 429 problem document with `Retry-After` for a client over the limit.
    pub async fn middleware(State(limiter): State<Self>, request: Request, next: Next) -> Response {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip());
        let Some(peer) = peer else {
            // Not served by `platform::server` (a test calling the router directly): nothing to key on.
            return next.run(request).await;
        };
        let client = limiter
            .inner
            .proxies
            .client_address(peer, request.headers());
        match limiter.check(client) {
            Ok(()) => next.run(request).await,
            Err(wait) => {
                metrics::counter!("http_rate_limited_total", "limit" => limiter.inner.name)
                    .increment(1);
                ApiError::problem(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests",
                    "too many requests from this address; try again later",
                    json!({"code": "rate_limited"}),
                )
                .retry_after(wait)
                .into_response()
            }
        }
    }
}

/// IPv4 addresses count alone; IPv6 ones by their /64 (the login throttle counts the same way).
pub(crate) fn bucket(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            IpAddr::V6(Ipv6Addr::new(
                segments[0],
                segments[1],
                segments[2],
                segments[3],
                0,
                0,
                0,
                0,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_client_gets_its_burst_then_the_sustained_rate_and_others_are_not_affected() {
        let limiter = RateLimiter::new("test", 60, 3, TrustedProxies::default()).unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(ip("10.0.0.1"), start).is_ok());
        }
        let wait = limiter.check_at(ip("10.0.0.1"), start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        assert!(
            limiter.check_at(ip("10.0.0.2"), start).is_ok(),
            "another client"
        );
        let later = start + Duration::from_secs(1);
        assert!(limiter.check_at(ip("10.0.0.1"), later).is_ok());
        assert!(limiter.check_at(ip("10.0.0.1"), later).is_err());
        // IPv6 neighbours in one /64 share a limit.
        for n in 0..3 {
            assert!(
                limiter
                    .check_at(ip(&format!("2001:db8::{n}")), start)
                    .is_ok()
            );
        }
        assert!(limiter.check_at(ip("2001:db8::ffff"), start).is_err());
        assert!(RateLimiter::new("off", 0, 3, TrustedProxies::default()).is_none());
    }

    #[test]
    fn the_forwarded_address_is_believed_only_from_a_trusted_proxy() {
        let proxies: TrustedProxies = "127.0.0.2, 10.1.0.0/16".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7".parse().unwrap());
        assert_eq!(
            proxies.client_address(ip("127.0.0.2"), &headers),
            ip("203.0.113.7")
        );
        assert_eq!(
            proxies.client_address(ip("198.51.100.1"), &headers),
            ip("198.51.100.1"),
            "an untrusted peer cannot pick its address"
        );
        headers.insert("x-forwarded-for", "203.0.113.7, 10.1.2.3".parse().unwrap());
        assert_eq!(
            proxies.client_address(ip("10.1.0.9"), &headers),
            ip("203.0.113.7")
        );
        headers.insert("x-forwarded-for", "nonsense".parse().unwrap());
        assert_eq!(
            proxies.client_address(ip("127.0.0.2"), &headers),
            ip("127.0.0.2")
        );
        assert!("300.1.1.1".parse::<TrustedProxies>().is_err());
    }
}
