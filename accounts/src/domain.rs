//! The rules of an account's fields: what an email address, a name and a password may be.

use platform::{contracts::Email, password::Rules};

/// What a shopper's password must be: 8 to 128 characters, not the email, not a common password.
pub const PASSWORD_RULES: Rules = Rules {
    min_chars: 8,
    max_chars: 128,
};

/// Longest name.
pub const MAX_NAME_CHARS: usize = 100;
/// Most saved addresses per customer.
pub const MAX_ADDRESSES: u64 = 20;
/// Most wishlist items per customer.
pub const MAX_WISHLIST_ITEMS: u64 = 100;

/// An account's address: trimmed and lower case, so that one address has one account however it is typed.
pub fn parse_email(value: &str) -> Result<Email, &'static str> {
    Email::parse(&value.trim().to_lowercase())
        .map_err(|_| "must be an email address like ann@example.com")
}

/// A name: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub fn parse_name(value: &str) -> Result<String, &'static str> {
    let name = value.trim();
    if name.is_empty() {
        return Err("is required");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err("must be at most 100 characters");
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_case() {
        assert_eq!(
            parse_email("  Ann@Shop.Test ").unwrap().as_str(),
            "ann@shop.test"
        );
        for bad in [
            "",
            "ann",
            "@shop.test",
            "ann@",
            "ann@shop",
            "a b@shop.test",
            "a\r\n@x.y",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Ann Lee ").unwrap(), "Ann Lee");
        assert_eq!(parse_name("   "), Err("is required"));
        assert!(parse_name(&"x".repeat(100)).is_ok());
        assert!(parse_name(&"x".repeat(101)).is_err());
        assert!(parse_name("Ann\u{7}").is_err());
    }
}
