//! The optional second factor: TOTP (RFC 6238) as every authenticator app does it: HMAC-SHA-1, 6 digits,
//! 30-second steps. A code of the step before or after the current one is accepted (clocks drift, people
//! type slowly), and a step is accepted once: the staff row keeps the last step used
//! (`staff::take_totp_step`), so a code seen over someone's shoulder cannot be replayed within its window.
//!
//! Secrets are stored sealed with [`TotpKey`] (AES-256-GCM under `ADMIN_TOTP_KEY`, bound to the staff member's
//! id): a copy of the database alone does not give anyone's second factor.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    getrandom::fill(&mut secret).expect("the operating system's random source failed");
    secret
}

/// The secret as people type it into an app: base32, no padding.
pub fn base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// A base32 secret back to bytes (spaces and case ignored).
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    data_encoding::BASE32_NOPAD
        .decode(cleaned.as_bytes())
        .ok()
        .filter(|secret| (10..=MAX_SECRET_BYTES).contains(&secret.len()))
}

/// The longest secret accepted (an HMAC-SHA-1 key longer than its block is hashed anyway).
pub const MAX_SECRET_BYTES: usize = 64;

/// The key TOTP secrets are sealed with at rest: `ADMIN_TOTP_KEY`, 32 random bytes in base64
/// (`openssl rand -base64 32`). Losing it turns every second factor off in effect (the owner resets them);
/// changing it needs the secrets re-sealed, so it is set once per shop.
#[derive(Clone)]
pub struct TotpKey(std::sync::Arc<ring::aead::LessSafeKey>);

/// The first byte of a sealed secret: the format (then a 12-byte nonce, the ciphertext and its 16-byte tag).
const SEALED_V1: u8 = 1;
const NONCE_BYTES: usize = ring::aead::NONCE_LEN;

impl std::fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpKey(..)")
    }
}

impl TotpKey {
    /// The key from its base64 text; `None` unless it is exactly 32 bytes.
    pub fn from_base64(text: &str) -> Option<Self> {
        let bytes = data_encoding::BASE64.decode(text.trim().as_bytes()).ok()?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let key = ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, bytes).ok()?;
        Some(Self(std::sync::Arc::new(ring::aead::LessSafeKey::new(key))))
    }

    /// A new random key (tests).
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        Self::from_bytes(&bytes).expect("32 bytes make a key")
    }

    /// `secret` sealed for staff member `staff_id`, with a fresh random nonce.
    pub fn seal(&self, staff_id: u64, secret: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).expect("the operating system's random source failed");
        let mut sealed = Vec::with_capacity(1 + NONCE_BYTES + secret.len() + 16);
        sealed.push(SEALED_V1);
        sealed.extend_from_slice(&nonce);
        let mut in_out = secret.to_vec();
        self.0
            .seal_in_place_append_tag(
                ring::aead::Nonce::assume_unique_for_key(nonce),
                ring::aead::Aad::from(staff_id.to_be_bytes()),
                &mut in_out,
            )
            .expect("a secret of a few bytes seals");
        sealed.extend_from_slice(&in_out);
        sealed
    }

    /// The secret of staff member `staff_id` from its sealed form; `None` when it was sealed with another key,
    /// for another member, or altered.
    pub fn open(&self, staff_id: u64, sealed: &[u8]) -> Option<Vec<u8>> {
        let (&version, rest) = sealed.split_first()?;
        if version != SEALED_V1 || rest.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
        let nonce = ring::aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut in_out = ciphertext.to_vec();
        let secret = self
            .0
            .open_in_place(
                nonce,
                ring::aead::Aad::from(staff_id.to_be_bytes()),
                &mut in_out,
            )
            .ok()?;
        Some(secret.to_vec())
    }
}

/// The `otpauth://` URI authenticator apps read (from the QR code).
pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    let issuer = "Shop admin";
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        crate::audit::percent_encode(issuer),
        crate::audit::percent_encode(account),
        base32(secret),
        crate::audit::percent_encode(issuer),
    )
}

/// The QR code of `uri` as an SVG document to inline in a page (no script, no external file).
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: the XML declaration before the element is not wanted.
    svg.find("<svg").map(|start| svg[start..].to_owned())
}

/// The step a Unix time falls in.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The code of `step` (RFC 4226 dynamic truncation).
pub fn code_at_step(secret: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return u32::MAX;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 10u32.pow(DIGITS)
}

/// The step whose code `code` is, among the current step and its neighbours at `unix_secs`; `None` when it is
/// none of theirs. The caller must still take the step ([`crate::staff::take_totp_step`]) so that it is not
/// used twice.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code: u32 = code.parse().ok()?;
    let now = step_at(unix_secs);
    // Every candidate is computed, so the time taken does not say which one matched.
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        if code_at_step(secret, step) == code && found.is_none() {
            found = Some(step);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_for_its_member_and_unaltered() {
        let key = TotpKey::random();
        let secret = new_secret();
        let sealed = key.seal(7, &secret);
        assert_ne!(
            &sealed[1 + NONCE_BYTES..1 + NONCE_BYTES + SECRET_BYTES],
            &secret[..]
        );
        assert_eq!(key.open(7, &sealed), Some(secret.clone()));
        assert_ne!(key.seal(7, &secret), sealed, "a fresh nonce each time");
        assert_eq!(key.open(8, &sealed), None, "another member's row");
        assert_eq!(TotpKey::random().open(7, &sealed), None, "another key");
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(key.open(7, &altered), None);
        assert_eq!(key.open(7, &secret), None, "a secret stored in the clear");
        let longest = vec![1u8; MAX_SECRET_BYTES];
        assert!(key.seal(7, &longest).len() <= 128, "fits the column");
    }

    #[test]
    fn the_key_is_32_bytes_of_base64() {
        assert!(TotpKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").is_some());
        assert!(
            TotpKey::from_base64("AAECAwQFBgcICQoLDA0ODw==").is_none(),
            "16 bytes"
        );
        assert!(TotpKey::from_base64("not base64").is_none());
    }

    /// RFC 6238 appendix B, SHA-1 rows (8 digits there; the last 6 here).
    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
        ] {
            assert_eq!(
                code_at_step(secret, step_at(time)),
                code % 1_000_000,
                "{time}"
            );
        }
    }

    #[test]
    fn a_code_of_a_neighbouring_step_is_accepted_and_others_are_not() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111;
        let code = |step| format!("{:06}", code_at_step(secret, step));
        assert_eq!(
            matching_step(secret, &code(step_at(now)), now),
            Some(step_at(now))
        );
        assert_eq!(
            matching_step(secret, &code(step_at(now) - 1), now),
            Some(step_at(now) - 1)
        );
        assert_eq!(matching_step(secret, &code(step_at(now) - 2), now), None);
        assert_eq!(matching_step(secret, "12345", now), None);
        assert_eq!(matching_step(secret, "abcdef", now), None);
    }

    #[test]
    fn secrets_round_trip_through_base32_and_the_uri_names_them() {
        let secret = new_secret();
        assert_eq!(
            from_base32(&base32(&secret).to_lowercase()),
            Some(secret.clone())
        );
        let uri = otpauth_uri(&secret, "ann@shop.test");
        assert!(uri.starts_with("otpauth://totp/Shop%20admin:ann%40shop.test?secret="));
        assert!(qr_svg(&uri).unwrap().starts_with("<svg"));
    }
}
