//! Internet message building blocks: mailboxes (`Name <address>`, with RFC 2047 encoded words for any name that
//! is not plain ASCII), quoted-printable bodies, and the whole RFC 5322 `multipart/alternative` message (a
//! UTF-8 text part and a UTF-8 HTML part) that the file transport writes.
//!
//! Everything that reaches a header is checked or encoded here, so no value from an event (a customer's name,
//! an email address) can add a header line or break the message's structure.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use platform::contracts::OrderNumber;

use crate::mail::Kind;

/// The longest address SMTP carries (RFC 5321: 256 octets in a path, minus the angle brackets).
const MAX_ADDRESS_LEN: usize = 254;
/// Bytes of UTF-8 per encoded word: 45 bytes are 60 base64 characters, which with `=?UTF-8?B?` and `?=`
/// keeps every word within RFC 2047's 75 characters.
const ENCODED_WORD_BYTES: usize = 45;
/// Longest quoted-printable line, soft line break included (RFC 2045).
const QP_LINE: usize = 76;

/// Why an address cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid email address {address:?}: {reason}")]
pub struct AddressError {
    pub address: String,
    pub reason: &'static str,
}

/// An address with an optional display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// A mailbox for `address` shown as `name`. Control characters in the name are dropped (they could
    /// never be shown and could break headers); an empty name is no name.
    pub fn new(name: &str, address: &str) -> Result<Self, AddressError> {
        let address = address.trim();
        validate_address(address)?;
        let name: String = name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Self {
            name: (!name.is_empty()).then_some(name),
            address: address.to_owned(),
        })
    }

    /// `Name <address>`, `"Name" <address>` or a bare `address`.
    pub fn parse(text: &str) -> Result<Self, AddressError> {
        let text = text.trim();
        match (text.rfind('<'), text.strip_suffix('>')) {
            (Some(open), Some(inner)) => {
                let name = text[..open].trim();
                let name = name
                    .strip_prefix('"')
                    .and_then(|n| n.strip_suffix('"'))
                    .unwrap_or(name);
                Self::new(name, &inner[open + 1..])
            }
            _ => Self::new("", text),
        }
    }

    /// The address's domain (after the `@`).
    pub fn domain(&self) -> &str {
        self.address
            .rsplit_once('@')
            .map_or("", |(_, domain)| domain)
    }

    /// The mailbox as a header value or API parameter: pure ASCII, on one line.
    pub fn to_header(&self) -> String {
        self.render(" ")
    }

    /// The mailbox in a header field, long names folded onto continuation lines.
    fn to_folded_header(&self) -> String {
        self.render("\r\n ")
    }

    fn render(&self, word_separator: &str) -> String {
        match &self.name {
            None => self.address.clone(),
            Some(name) if is_plain_phrase(name) => format!("{name} <{}>", self.address),
            Some(name) => format!("{} <{}>", encoded_words(name, word_separator), self.address),
        }
    }
}

/// A plain `addr-spec` (`local@domain.tld`) in ASCII: what SES accepts and what cannot break a header.
pub fn validate_address(address: &str) -> Result<(), AddressError> {
    let invalid = |reason| {
        Err(AddressError {
            address: address.chars().take(MAX_ADDRESS_LEN + 10).collect(),
            reason,
        })
    };
    if address.len() > MAX_ADDRESS_LEN {
        return invalid("longer than 254 characters");
    }
    if !address.bytes().all(|b| b.is_ascii_graphic()) {
        return invalid("only ASCII letters, digits and punctuation, no spaces");
    }
    if address.bytes().any(|b| b"<>()[]\\,;:\"".contains(&b)) {
        return invalid("contains a character that is not allowed in an address");
    }
    let Some((local, domain)) = address.split_once('@') else {
        return invalid("no @");
    };
    if local.is_empty()
        || local.len() > 64
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return invalid("the part before the @ is empty, too long or has misplaced dots");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return invalid("the domain is not a host name like example.com");
    }
    Ok(())
}

/// A display name that may stand as it is: RFC 5322 `atext` words and spaces, nothing a decoder could take
/// for an encoded word.
fn is_plain_phrase(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" !#$%&'*+-/=?^_`{|}~".contains(&b))
        && !name.contains("=?")
}

/// `text` as RFC 2047 `B` encoded words (UTF-8), split on character boundaries, joined by `separator`.
pub fn encoded_words(text: &str, separator: &str) -> String {
    let mut words = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        if at + c.len_utf8() - start > ENCODED_WORD_BYTES {
            words.push(&text[start..end]);
            start = at;
        }
        end = at + c.len_utf8();
    }
    if start < text.len() {
        words.push(&text[start..]);
    }
    words
        .iter()
        .map(|word| format!("=?UTF-8?B?{}?=", base64(word.as_bytes())))
        .collect::<Vec<_>>()
        .join(separator)
}

/// A header value that is plain printable ASCII stays as it is; anything else becomes encoded words.
fn unstructured_header(value: &str) -> String {
    let plain = value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) && !value.contains("=?");
    if plain && value.len() <= 900 {
        value.to_owned()
    } else {
        encoded_words(value, "\r\n ")
    }
}

/// Standard base64 with padding (RFC 4648).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `text` as quoted-printable (RFC 2045) with CRLF line ends: readable where it is ASCII, no line over 76
/// characters, safe for any 7-bit transport.
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push_str("\r\n");
        }
        let bytes = line.strip_suffix('\r').unwrap_or(line).as_bytes();
        let mut column = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            let last = at + 1 == bytes.len();
            // Whitespace at a line's end would be lost in transit, so it is encoded there.
            let literal = (byte.is_ascii_graphic() && byte != b'=')
                || ((byte == b' ' || byte == b'\t') && !last);
            let width = if literal { 1 } else { 3 };
            if column + width > QP_LINE - 1 {
                out.push_str("=\r\n");
                column = 0;
            }
            if literal {
                out.push(char::from(byte));
            } else {
                let _ = write!(out, "={byte:02X}");
            }
            column += width;
        }
    }
    out
}

/// One email, rendered, ready for a transport.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub from: Mailbox,
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Without angle brackets: `<event id>@<sender's domain>`, the same for every attempt.
    pub message_id: String,
    pub date: DateTime<Utc>,
    /// `[A-Za-z0-9-]` only, which the type guarantees: it goes into a header and a file name.
    pub order_number: OrderNumber,
    pub event_id: uuid::Uuid,
    /// Which of the order's emails this is (the `X-Shop-Email-Kind` header, for tests and mail filters).
    pub kind: Kind,
}

impl OutgoingEmail {
    /// The RFC 5322 message: headers, then a `multipart/alternative` body with the text part first and the
    /// HTML part last (the one clients prefer), both UTF-8 and quoted-printable, CRLF line ends throughout.
    pub fn to_rfc5322(&self) -> String {
        // Quoted-printable never produces "=_", so this boundary cannot occur inside either part.
        let boundary = format!("=_shop_{}", self.event_id.simple());
        let mut message = String::with_capacity(self.text.len() + self.html.len() * 11 / 10 + 1024);
        let mut header = |name: &str, value: &str| {
            message.push_str(name);
            message.push_str(": ");
            message.push_str(value);
            message.push_str("\r\n");
        };
        header("Date", &self.date.to_rfc2822());
        header("From", &self.from.to_folded_header());
        header("To", &self.to.to_folded_header());
        header("Subject", &unstructured_header(&self.subject));
        header("Message-ID", &format!("<{}>", self.message_id));
        header("MIME-Version", "1.0");
        header(
            "Content-Type",
            &format!("multipart/alternative;\r\n boundary=\"{boundary}\""),
        );
        header("X-Shop-Order-Number", &self.order_number);
        header("X-Shop-Event-Id", &self.event_id.to_string());
        header("X-Shop-Email-Kind", self.kind.as_str());
        message.push_str("\r\n");
        for (content_type, body) in [("text/plain", &self.text), ("text/html", &self.html)] {
            let _ = write!(
                message,
                "--{boundary}\r\nContent-Type: {content_type}; charset=UTF-8\r\n\
                 Content-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n",
                quoted_printable(body)
            );
        }
        let _ = write!(message, "--{boundary}--\r\n");
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_must_be_plain_ascii_host_addresses() {
        for good in [
            "ana@example.com",
            "a.b+tag@sub.example.co.uk",
            "x_y-z@e-x.io",
        ] {
            assert!(validate_address(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@localhost",
            "ana @example.com",
            "ana@example.com\r\nBcc: x@evil.example",
            "\"ana\"@example.com",
            "ana<b>@example.com",
            "ana..b@example.com",
            "anä@example.com",
            "ana@-example.com",
        ] {
            assert!(validate_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn mailboxes_parse_with_and_without_names() {
        assert_eq!(
            Mailbox::parse("Shop <orders@shop.example>").unwrap(),
            Mailbox {
                name: Some("Shop".to_owned()),
                address: "orders@shop.example".to_owned()
            }
        );
        assert_eq!(
            Mailbox::parse("\"Big Shop\" <o@s.example>")
                .unwrap()
                .name
                .as_deref(),
            Some("Big Shop")
        );
        assert_eq!(Mailbox::parse("orders@shop.example").unwrap().name, None);
        assert!(Mailbox::parse("Shop <nope>").is_err());
        assert_eq!(
            Mailbox::parse("Shop <orders@shop.example>")
                .unwrap()
                .domain(),
            "shop.example"
        );
    }

    #[test]
    fn names_that_are_not_plain_ascii_become_encoded_words() {
        let plain = Mailbox::new("Ana O'Brien", "ana@example.com").unwrap();
        assert_eq!(plain.to_header(), "Ana O'Brien <ana@example.com>");
        let unicode = Mailbox::new("Ana Núñez", "ana@example.com").unwrap();
        assert_eq!(
            unicode.to_header(),
            "=?UTF-8?B?QW5hIE7DusOxZXo=?= <ana@example.com>"
        );
        let tricky = Mailbox::new(
            "<b>Evil</b> & \"co\"\r\nBcc: x@evil.example",
            "ana@example.com",
        )
        .unwrap();
        let header = tricky.to_header();
        assert!(
            header.is_ascii() && !header.contains('\n') && !header.contains('"'),
            "{header}"
        );
        assert!(header.ends_with(" <ana@example.com>"));
    }

    #[test]
    fn long_names_are_split_into_words_of_at_most_75_characters_on_character_boundaries() {
        let name = "Ünïcödé ".repeat(20);
        let words = encoded_words(name.trim(), " ");
        assert!(words.split(' ').count() > 1);
        for word in words.split(' ') {
            assert!(word.len() <= 75, "{word}");
            assert!(word.starts_with("=?UTF-8?B?") && word.ends_with("?="));
        }
    }

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn quoted_printable_keeps_ascii_readable_and_lines_short() {
        assert_eq!(quoted_printable("a=b ü\n"), "a=3Db =C3=BC\r\n");
        assert_eq!(quoted_printable("trailing \nx"), "trailing=20\r\nx");
        let long = format!("{}é{}", "x".repeat(74), "y".repeat(200));
        let encoded = quoted_printable(&long);
        for line in encoded.split("\r\n") {
            assert!(line.len() <= 76, "{line}");
        }
        // Decoding gives back the original.
        let joined = encoded.replace("=\r\n", "");
        assert!(joined.starts_with(&"x".repeat(74)) && joined.contains("=C3=A9"));
        assert!(!encoded.contains("=_"));
    }
}
