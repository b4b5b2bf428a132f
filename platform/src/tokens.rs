//! Secret tokens a service hands out and later recognises: session ids, email verification and password
//! reset links. A token is 256 random bits from the operating system ([`random_token`]); the service stores
//! only its SHA-256 ([`TokenHash`]), so a copy of the table (a backup, a replica) lets nobody in.

use sha2::{Digest as _, Sha256};

/// The length of every [`random_token`]: anything else is not one of ours and is not looked up.
pub const TOKEN_LEN: usize = 43;

/// 256 random bits from the operating system, as 43 URL-safe characters.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS random source does not fail on the platforms we run on; if it ever did, a request must fail
    // rather than hand out a guessable token.
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    data_encoding::BASE64URL_NOPAD.encode(&bytes)
}

/// The stored form of a token: its SHA-256 (a `BINARY(32)` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

impl TryFrom<Vec<u8>> for TokenHash {
    type Error = String;

    fn try_from(bytes: Vec<u8>) -> Result<Self, Self::Error> {
        bytes
            .try_into()
            .map(Self)
            .map_err(|_| "a token hash is 32 bytes".to_owned())
    }
}

/// Whether `token` has the shape of a [`random_token`] (checked before any lookup).
pub fn looks_like_token(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_url_safe_characters_and_differ() {
        let token = random_token();
        assert!(looks_like_token(&token), "{token}");
        assert_ne!(token, random_token());
        assert!(!looks_like_token("short"));
        assert!(!looks_like_token(&format!("{}=", &token[..42])));
    }

    #[test]
    fn a_token_is_stored_as_its_sha256() {
        let hash = TokenHash::of("abc");
        assert_eq!(
            data_encoding::HEXLOWER.encode(hash.as_slice()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(TokenHash::try_from(hash.0.to_vec()), Ok(hash));
        assert!(TokenHash::try_from(vec![1, 2]).is_err());
    }
}
