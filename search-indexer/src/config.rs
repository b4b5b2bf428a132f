//! The indexer's own settings, from the environment (the common ones are in `platform::config`).
//!
//! | variable              | default    | meaning                                                                  |
//! |-----------------------|------------|--------------------------------------------------------------------------|
//! | `MEILI_URL`           | unset      | Meilisearch; unset means there is no advanced search and nothing to do    |
//! | `MEILI_API_KEY`       | unset      | a key allowed to manage indexes and documents (the admin key, not master) |
//! | `MEILI_INDEX`         | `products` | the live index shoppers search                                            |
//! | `INDEXER_BATCH`       | `500`      | most events written to the index in one batch                             |
//! | `INDEXER_LINGER_MS`   | `100`      | how long a batch waits for more events once it has its first              |
//! | `INDEXER_ACK_WAIT_SECS` | `60`     | JetStream ack wait; a batch in progress is kept alive at a third of it    |

use std::time::Duration;

use platform::{
    config::{ConfigError, optional_var, secs_var, var},
    consumer::ConsumerSpec,
    contracts::search::DEFAULT_INDEX,
    streams::{CATALOG_STREAM, CATALOG_SUBJECTS},
};
use secrecy::SecretString;

/// The durable consumer on the CATALOG stream.
pub const CONSUMER: &str = platform::streams::SEARCH_INDEXER_CONSUMER;

/// Where Meilisearch is and how to reach it.
#[derive(Debug, Clone)]
pub struct Meili {
    pub url: String,
    pub api_key: Option<SecretString>,
    pub index: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `None` without `MEILI_URL`.
    pub meili: Option<Meili>,
    pub batch: usize,
    pub linger: Duration,
    pub ack_wait: Duration,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let meili = match optional_var::<String>("MEILI_URL")? {
            Some(url) => Some(Meili {
                url: url.trim_end_matches('/').to_owned(),
                api_key: optional_var::<String>("MEILI_API_KEY")?.map(SecretString::from),
                index: var("MEILI_INDEX", DEFAULT_INDEX.to_owned())?,
            }),
            None => None,
        };
        let batch: usize = var("INDEXER_BATCH", 500)?;
        if batch == 0 || batch > 10_000 {
            return Err(ConfigError {
                name: "INDEXER_BATCH".to_owned(),
                value: batch.to_string(),
                reason: "must be from 1 to 10000".to_owned(),
            });
        }
        Ok(Self {
            meili,
            batch,
            linger: Duration::from_millis(var("INDEXER_LINGER_MS", 100)?),
            ack_wait: secs_var("INDEXER_ACK_WAIT_SECS", 60)?,
        })
    }

    /// Every catalog event (product documents and stock), never given up on: while Meilisearch is down the
    /// indexer holds its batch and retries, keeping the messages alive.
    pub fn consumer_spec(&self) -> ConsumerSpec {
        ConsumerSpec {
            stream: CATALOG_STREAM.to_owned(),
            durable: CONSUMER.to_owned(),
            filter_subject: CATALOG_SUBJECTS.to_owned(),
            max_deliver: -1,
            backoff: Vec::new(),
            ack_wait: self.ack_wait,
            max_ack_pending: (self.batch * 2) as i64,
        }
    }
}
