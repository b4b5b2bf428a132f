//! Promotions: coupon codes and automatic discounts, owned by checkout. [`rules`] decides, purely, what
//! applies and how each discount is spread over the lines; the totals preview and place-order both use it.
pub mod rules;

/// Longest code.
pub const MAX_CODE_CHARS: usize = 40;

/// A code as shoppers type it, as it is stored: trimmed, upper case, 3 to 40 letters, digits and `-`.
pub fn normalise_code(text: &str) -> Result<String, &'static str> {
    let code = text.trim().to_ascii_uppercase();
    if !(3..=MAX_CODE_CHARS).contains(&code.len())
        || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err("must be a promotion code (3 to 40 letters, digits and -)");
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_compared_as_typed_in_any_case() {
        assert_eq!(normalise_code("  welcome-10 ").unwrap(), "WELCOME-10");
        for bad in ["", "ab", "ünï", "a b c", &"X".repeat(41)] {
            assert!(normalise_code(bad).is_err(), "{bad:?}");
        }
    }
}
