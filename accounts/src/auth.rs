//! Signing up, confirming the address, signing in, and resetting or changing the password.
//!
//! # Nobody learns which addresses have accounts
//!
//! Sign-up, a new confirmation link and a password reset request answer the same (202) whatever the address:
//! the handler checks the input, hands the rest to [`Tasks`] and answers at once, so neither the answer nor
//! its timing depends on whether an account exists. The work then emails the right thing: a confirmation
//! link for a new address, "you already have an account" to the owner of a confirmed one, a reset link only
//! to an account. Sign-in says "wrong email or password" for both, after the same argon2 work
//! (`platform::password::verify` against a dummy hash when there is no account); only someone who knows the
//! password learns that the address is not confirmed yet.
//!
//! # Links
//!
//! A link's token is 256 random bits, stored as its SHA-256, good once and until it expires; using one ends
//! every other link of the same kind for the account. A confirmation link carries the password of the sign-up
//! that asked for it: someone who signs up with another person's address cannot choose the password that the
//! real owner's link will set. At most one link email per account and kind per `LINK_EMAIL_GAP_SECS`.

use std::sync::Arc;

use chrono::Utc;
use platform::{
    contracts::{
        Email,
        accounts::{
            CustomerRegistered, CustomerVerified, PasswordChange, PasswordChanged,
            PasswordResetRequested, SignUpAttempted, VerificationRequested,
        },
    },
    outbox,
    password::{self, PasswordError},
    tokens::{TokenHash, looks_like_token, random_token},
};
use secrecy::SecretString;
use sqlx::MySqlConnection;
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::{
    Accounts, SERVICE,
    db::{self, Customer, Purpose},
    sessions,
};

/// At most one "someone signed up with your address" email per account this often.
const SIGN_UP_NOTICE_GAP: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the link is unknown, used or expired")]
    InvalidToken,
    #[error("the email or password is not right")]
    InvalidCredentials,
    #[error("the address is not confirmed yet")]
    NotVerified,
    #[error("{field}: {reason}")]
    Field { field: &'static str, reason: String },
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Work a request hands over to run after its answer (so that the answer says nothing about it), bounded:
/// when `ACCOUNT_TASKS` are queued, [`Tasks::start`] refuses and the request answers 503. The gauge
/// `accounts_background_tasks` counts those queued or running.
#[derive(Debug, Clone)]
pub struct Tasks {
    tracker: TaskTracker,
    slots: Arc<Semaphore>,
}

impl Tasks {
    pub fn new(tracker: TaskTracker, slots: usize) -> Self {
        metrics::gauge!("accounts_background_tasks").set(0.0);
        Self {
            tracker,
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// Runs `work` in the background; `false` when the queue is full.
    pub fn start<F>(&self, what: &'static str, work: F) -> bool
    where
        F: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let Ok(slot) = self.slots.clone().try_acquire_owned() else {
            return false;
        };
        metrics::gauge!("accounts_background_tasks").increment(1.0);
        self.tracker.spawn(async move {
            if let Err(err) = work.await {
                tracing::error!(task = what, error = %err, "account task failed");
            }
            drop(slot);
            metrics::gauge!("accounts_background_tasks").decrement(1.0);
        });
        true
    }
}

/// A link made now for `purpose`, unless one was made within the gap: `(token, expires_at)` to email.
async fn new_link(
    accounts: &Accounts,
    conn: &mut MySqlConnection,
    customer: Uuid,
    purpose: Purpose,
    password_hash: Option<&str>,
) -> Result<Option<(String, chrono::DateTime<Utc>)>, sqlx::Error> {
    let gap = chrono::Duration::from_std(accounts.config.link_email_gap).unwrap_or_default();
    if let Some(last) = db::last_token_at(conn, customer, purpose).await?
        && Utc::now() - last < gap
    {
        return Ok(None);
    }
    let ttl = match purpose {
        Purpose::Verify => accounts.config.verify_link_ttl,
        Purpose::Reset => accounts.config.reset_link_ttl,
    };
    let expires_at = Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default();
    let token = random_token();
    db::insert_token(
        conn,
        &TokenHash::of(&token),
        customer,
        purpose,
        password_hash,
        expires_at,
    )
    .await?;
    Ok(Some((token, expires_at)))
}

fn email_of(customer: &Customer) -> Result<Email, sqlx::Error> {
    Email::parse(&customer.email).map_err(|err| sqlx::Error::Decode(Box::new(err)))
}

/// The background half of a sign-up whose input was valid.
pub async fn sign_up(
    accounts: &Accounts,
    email: Email,
    name: String,
    password: SecretString,
) -> anyhow::Result<()> {
    let hash = password::hash(password).await?;
    let mut tx = accounts.pool.begin().await?;
    let id = Uuid::now_v7();
    // Insert first: a sign-up for a new address takes no lock on a row that does not exist (two at once
    // would deadlock on the gap), and the loser of a race finds the winner's row below.
    if db::insert_customer(&mut tx, id, email.as_str(), &name, &hash).await? {
        if let Some((verify_token, expires_at)) =
            new_link(accounts, &mut tx, id, Purpose::Verify, Some(&hash)).await?
        {
            outbox::enqueue(
                &mut tx,
                SERVICE.name,
                CustomerRegistered {
                    customer_id: id,
                    email,
                    name,
                    verify_token,
                    expires_at,
                },
            )
            .await?;
        }
    } else {
        let Some(customer) = db::lock_customer_by_email(&mut tx, email.as_str()).await? else {
            // Deleted in the meantime: nothing to tell anyone.
            return Ok(());
        };
        if customer.email_verified_at.is_none() {
            // Signed up again before confirming: the newest sign-up's password is the pending one, and its
            // link is the one that sets it.
            if let Some((verify_token, expires_at)) =
                new_link(accounts, &mut tx, customer.id, Purpose::Verify, Some(&hash)).await?
            {
                db::set_pending_password(&mut tx, customer.id, &name, &hash).await?;
                outbox::enqueue(
                    &mut tx,
                    SERVICE.name,
                    VerificationRequested {
                        customer_id: customer.id,
                        email,
                        name,
                        verify_token,
                        expires_at,
                    },
                )
                .await?;
            }
        } else if customer
            .sign_up_notice_at
            .is_none_or(|at| Utc::now() - at >= SIGN_UP_NOTICE_GAP)
        {
            db::mark_sign_up_notice(&mut tx, customer.id).await?;
            outbox::enqueue(
                &mut tx,
                SERVICE.name,
                SignUpAttempted {
                    customer_id: customer.id,
                    email,
                    name: customer.name,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    accounts.outbox.notify();
    Ok(())
}

/// The background half of "send me a new confirmation link".
pub async fn resend_verification(accounts: &Accounts, email: Email) -> anyhow::Result<()> {
    let mut tx = accounts.pool.begin().await?;
    let Some(customer) = db::lock_customer_by_email(&mut tx, email.as_str()).await? else {
        return Ok(());
    };
    if customer.email_verified_at.is_some() {
        return Ok(());
    }
    send_verification(accounts, &mut tx, &customer).await?;
    tx.commit().await?;
    accounts.outbox.notify();
    Ok(())
}

/// A new confirmation link for the unconfirmed `customer` (locked by the caller), setting the pending
/// password, unless one went out within the gap.
async fn send_verification(
    accounts: &Accounts,
    conn: &mut MySqlConnection,
    customer: &Customer,
) -> Result<(), sqlx::Error> {
    if let Some((verify_token, expires_at)) = new_link(
        accounts,
        conn,
        customer.id,
        Purpose::Verify,
        Some(&customer.password_hash),
    )
    .await?
    {
        outbox::enqueue(
            conn,
            SERVICE.name,
            VerificationRequested {
                customer_id: customer.id,
                email: email_of(customer)?,
                name: customer.name.clone(),
                verify_token,
                expires_at,
            },
        )
        .await?;
    }
    Ok(())
}

/// The background half of "I forgot my password".
pub async fn request_reset(accounts: &Accounts, email: Email) -> anyhow::Result<()> {
    let mut tx = accounts.pool.begin().await?;
    let Some(customer) = db::lock_customer_by_email(&mut tx, email.as_str()).await? else {
        return Ok(());
    };
    if let Some((reset_token, expires_at)) =
        new_link(accounts, &mut tx, customer.id, Purpose::Reset, None).await?
    {
        outbox::enqueue(
            &mut tx,
            SERVICE.name,
            PasswordResetRequested {
                customer_id: customer.id,
                email,
                name: customer.name,
                reset_token,
                expires_at,
            },
        )
        .await?;
    }
    tx.commit().await?;
    accounts.outbox.notify();
    Ok(())
}

/// Where a sign-in comes from, recorded with its session.
#[derive(Debug, Clone)]
pub struct Origin {
    pub ip: String,
    pub user_agent: String,
}

/// A customer just signed in, and the id of their new session (for the cookie).
#[derive(Debug)]
pub struct SignedIn {
    pub customer: Customer,
    pub session_id: String,
}

/// Confirms the address with the link's `token` and signs the customer in.
pub async fn verify(
    accounts: &Accounts,
    token: &str,
    origin: &Origin,
) -> Result<SignedIn, AuthError> {
    if !looks_like_token(token) {
        return Err(AuthError::InvalidToken);
    }
    let mut tx = accounts.pool.begin().await?;
    let taken = db::take_token(&mut tx, &TokenHash::of(token), Purpose::Verify)
        .await?
        .ok_or(AuthError::InvalidToken)?;
    let customer = db::lock_customer(&mut tx, taken.customer_id)
        .await?
        .ok_or(AuthError::InvalidToken)?;
    let password_hash = taken
        .password_hash
        .unwrap_or_else(|| customer.password_hash.clone());
    db::confirm_and_set_password(&mut tx, customer.id, &password_hash).await?;
    if customer.email_verified_at.is_none() {
        outbox::enqueue(
            &mut tx,
            SERVICE.name,
            CustomerVerified {
                customer_id: customer.id,
                email: email_of(&customer)?,
            },
        )
        .await?;
    }
    let session_id = accounts
        .sessions
        .create(&mut tx, customer.id, &origin.ip, &origin.user_agent)
        .await?;
    tx.commit().await?;
    accounts.outbox.notify();
    let customer = db::customer(&accounts.pool, customer.id)
        .await?
        .ok_or(AuthError::InvalidToken)?;
    Ok(SignedIn {
        customer,
        session_id,
    })
}

/// Checks `email` and `password` (the caller has asked the login throttle first) and signs the customer in.
/// An unconfirmed account with the right password gets a new confirmation link (within the gap) and
/// [`AuthError::NotVerified`].
pub async fn sign_in(
    accounts: &Accounts,
    email: &Email,
    password: SecretString,
    origin: &Origin,
) -> Result<SignedIn, AuthError> {
    let customer = db::customer_by_email(&accounts.pool, email.as_str()).await?;
    let matches = password::verify(
        password,
        customer
            .as_ref()
            .map(|customer| customer.password_hash.clone()),
    )
    .await?;
    let Some(customer) = customer.filter(|_| matches) else {
        return Err(AuthError::InvalidCredentials);
    };
    let mut tx = accounts.pool.begin().await?;
    if customer.email_verified_at.is_none() {
        if let Some(customer) = db::lock_customer(&mut tx, customer.id).await? {
            send_verification(accounts, &mut tx, &customer).await?;
        }
        tx.commit().await?;
        accounts.outbox.notify();
        return Err(AuthError::NotVerified);
    }
    let session_id = accounts
        .sessions
        .create(&mut tx, customer.id, &origin.ip, &origin.user_agent)
        .await?;
    tx.commit().await?;
    Ok(SignedIn {
        customer,
        session_id,
    })
}

/// Sets a new password with the reset link's `token`: confirms the address too (the link proved the inbox),
/// ends every session, tells the owner. The link is not used up when the password is refused.
pub async fn reset_password(
    accounts: &Accounts,
    token: &str,
    new_password: SecretString,
) -> Result<(), AuthError> {
    if !looks_like_token(token) {
        return Err(AuthError::InvalidToken);
    }
    let mut tx = accounts.pool.begin().await?;
    let taken = db::take_token(&mut tx, &TokenHash::of(token), Purpose::Reset)
        .await?
        .ok_or(AuthError::InvalidToken)?;
    let customer = db::lock_customer(&mut tx, taken.customer_id)
        .await?
        .ok_or(AuthError::InvalidToken)?;
    crate::domain::PASSWORD_RULES
        .check(&new_password, &customer.email)
        .map_err(|reason| AuthError::Field {
            field: "password",
            reason,
        })?;
    let hash = password::hash(new_password).await?;
    db::confirm_and_set_password(&mut tx, customer.id, &hash).await?;
    sessions::end_all_of(&mut tx, customer.id, None).await?;
    outbox::enqueue(
        &mut tx,
        SERVICE.name,
        PasswordChanged {
            customer_id: customer.id,
            email: email_of(&customer)?,
            name: customer.name.clone(),
            how: PasswordChange::Reset,
        },
    )
    .await?;
    tx.commit().await?;
    accounts.outbox.notify();
    Ok(())
}

/// Changes the signed-in customer's password after checking the current one; every other session ends.
pub async fn change_password(
    accounts: &Accounts,
    customer: Uuid,
    session: &TokenHash,
    current: SecretString,
    new_password: SecretString,
) -> Result<(), AuthError> {
    let found = db::customer(&accounts.pool, customer)
        .await?
        .ok_or(AuthError::InvalidCredentials)?;
    if !password::verify(current, Some(found.password_hash.clone())).await? {
        return Err(AuthError::Field {
            field: "current_password",
            reason: "is not right".to_owned(),
        });
    }
    crate::domain::PASSWORD_RULES
        .check(&new_password, &found.email)
        .map_err(|reason| AuthError::Field {
            field: "new_password",
            reason,
        })?;
    let hash = password::hash(new_password).await?;
    let mut tx = accounts.pool.begin().await?;
    db::confirm_and_set_password(&mut tx, customer, &hash).await?;
    sessions::end_all_of(&mut tx, customer, Some(session)).await?;
    outbox::enqueue(
        &mut tx,
        SERVICE.name,
        PasswordChanged {
            customer_id: customer,
            email: email_of(&found)?,
            name: found.name,
            how: PasswordChange::Changed,
        },
    )
    .await?;
    tx.commit().await?;
    accounts.outbox.notify();
    Ok(())
}
