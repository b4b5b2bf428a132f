//! Password hashing for every service that keeps accounts (the web admin's staff; shoppers later): argon2id
//! with OWASP's minimum parameters (m = 19 MiB, t = 2, p = 1), a random salt per hash, stored as a PHC string
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) so that the parameters travel with each hash.
//!
//! Hashing costs tens of milliseconds of CPU on purpose: it runs on the blocking pool ([`hash`], [`verify`]),
//! never on the async workers that serve every other request.
//!
//! [`verify`] with no stored hash (the account does not exist) still verifies, against a dummy hash of the same
//! cost: a login for an unknown email takes as long as one with a wrong password, so the time of the answer
//! does not tell which emails have accounts.
//!
//! [`Rules::check`] is what a new password must pass: a length window, not the account's email, not one
//! character repeated, and not one of the ~100,000 most common passwords (the `passwords` crate's list,
//! compared without regard to case). Staff and shoppers differ only in the minimum length.

use std::sync::OnceLock;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use secrecy::{ExposeSecret as _, SecretString};

/// Memory cost in KiB (19 MiB).
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Passes over the memory.
pub const ITERATIONS: u32 = 2;
/// Lanes.
pub const PARALLELISM: u32 = 1;

/// What a new password must be: between `min_chars` and `max_chars` characters, and none of the weak kinds
/// [`Rules::check`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub min_chars: usize,
    pub max_chars: usize,
}

impl Rules {
    /// Why `password`, chosen by the owner of `email` (lower case), cannot be used; the reason completes
    /// "the password ...".
    pub fn check(&self, password: &SecretString, email: &str) -> Result<(), String> {
        let password = password.expose_secret();
        let chars = password.chars().count();
        if chars < self.min_chars {
            return Err(format!("must be at least {} characters", self.min_chars));
        }
        if chars > self.max_chars {
            return Err(format!("must be at most {} characters", self.max_chars));
        }
        let lower = password.trim().to_lowercase();
        if !email.is_empty() && lower.contains(email) {
            return Err("must not be or contain the email address".to_owned());
        }
        let local_part = email.split('@').next().unwrap_or_default();
        if local_part.chars().count() >= 4 && lower == local_part {
            return Err("must not be the name in the email address".to_owned());
        }
        let mut chars = password.chars();
        let first = chars.next();
        if chars.all(|c| Some(c) == first) {
            return Err("must not be one character repeated".to_owned());
        }
        if is_common(password) {
            return Err("is one of the most common passwords; choose another".to_owned());
        }
        Ok(())
    }
}

/// Whether `password` is on the list of common passwords, as typed or in lower case.
pub fn is_common(password: &str) -> bool {
    passwords::analyzer::is_common_password(password)
        || passwords::analyzer::is_common_password(password.to_lowercase())
}

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("the hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

fn argon2() -> Argon2<'static> {
    // The parameters are constants within argon2's bounds: `Params::new` cannot refuse them.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| PasswordError::Hash(err.to_string()))
}

/// The PHC string of `password`, computed on the blocking pool.
pub async fn hash(password: SecretString) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || hash_blocking(password.expose_secret())).await?
}

/// Whether `password` matches `stored` (a PHC string from [`hash`]), checked on the blocking pool. With no
/// stored hash, or one that does not parse, the answer is `false` after the same work as a real check.
pub async fn verify(password: SecretString, stored: Option<String>) -> Result<bool, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let stored = stored
            .as_deref()
            .and_then(|stored| PasswordHash::new(stored).ok());
        match stored {
            Some(hash) => Ok(argon2()
                .verify_password(password.expose_secret().as_bytes(), &hash)
                .is_ok()),
            None => {
                let dummy = dummy_hash();
                if let Ok(hash) = PasswordHash::new(dummy) {
                    let _ = argon2().verify_password(password.expose_secret().as_bytes(), &hash);
                }
                Ok(false)
            }
        }
    })
    .await?
}

/// A hash of a random password nobody knows, with the same parameters as every real one.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking(&uuid::Uuid::new_v4().to_string()).unwrap_or_else(|_| {
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
             9ZuUOPlcYALqQXv5VmYBrVn7tHmlYm9tzEgEyrLXw9I"
                .to_owned()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        let rules = Rules {
            min_chars: 8,
            max_chars: 128,
        };
        let check =
            |password: &str| rules.check(&SecretString::from(password), "ann.lee@shop.test");
        assert_eq!(
            check("short1!"),
            Err("must be at least 8 characters".to_owned())
        );
        assert_eq!(
            check(&"x1".repeat(65)),
            Err("must be at most 128 characters".to_owned())
        );
        assert_eq!(
            check("Ann.Lee@shop.test!"),
            Err("must not be or contain the email address".to_owned())
        );
        assert_eq!(
            check("ann.lee"),
            Err("must be at least 8 characters".to_owned())
        );
        assert_eq!(
            check("zzzzzzzzzz"),
            Err("must not be one character repeated".to_owned())
        );
        for common in [
            "password1",
            "Password1",
            "iloveyou",
            "qwertyuiop",
            "12345678",
        ] {
            assert_eq!(
                check(common),
                Err("is one of the most common passwords; choose another".to_owned()),
                "{common}"
            );
        }
        assert!(check("correct horse battery").is_ok());
        assert!(check("Tr0ub4dor&3x").is_ok());
    }

    #[tokio::test]
    async fn a_hash_is_argon2id_with_the_owasp_parameters_and_verifies_only_its_password() {
        let hash = hash(SecretString::from("correct horse battery"))
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            verify(
                SecretString::from("correct horse battery"),
                Some(hash.clone())
            )
            .await
            .unwrap()
        );
        assert!(
            !verify(SecretString::from("correct horse battery!"), Some(hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn two_hashes_of_one_password_differ_by_their_salt() {
        let first = hash(SecretString::from("same password here"))
            .await
            .unwrap();
        let second = hash(SecretString::from("same password here"))
            .await
            .unwrap();
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn no_stored_hash_or_a_broken_one_never_verifies() {
        assert!(!verify(SecretString::from("anything"), None).await.unwrap());
        assert!(
            !verify(
                SecretString::from("anything"),
                Some("not a hash".to_owned())
            )
            .await
            .unwrap()
        );
    }
}
