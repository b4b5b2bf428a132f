//! The order confirmation, rendered with tera from the template files in `MAIL_TEMPLATES_DIR`:
//! `order_confirmation.html` (autoescaped: a customer's `<b>` arrives as text, never as markup) and
//! `order_confirmation.txt` (not escaped: plain text shows names as they were typed).
//!
//! Amounts are formatted here from `Decimal`s (never floats) and handed to the templates as strings, with the
//! rest of what they show, so templates hold only layout.

use std::{path::Path, sync::Arc};

use anyhow::Context as _;
use platform::contracts::orders::{Address, OrderCreated};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use tera::Tera;

pub const HTML_TEMPLATE: &str = "order_confirmation.html";
pub const TEXT_TEMPLATE: &str = "order_confirmation.txt";

/// The two parts of one email and its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The loaded templates; cheap to clone.
#[derive(Debug, Clone)]
pub struct Templates {
    tera: Arc<Tera>,
}

impl Templates {
    /// Reads and compiles the templates in `dir`; fails naming the file that is missing or wrong.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut tera = Tera::default();
        // Only the HTML template is escaped; tera's default list would also cover .htm and .xml.
        tera.autoescape_on(vec![".html"]);
        for name in [HTML_TEMPLATE, TEXT_TEMPLATE] {
            let path = dir.join(name);
            tera.add_template_file(&path, Some(name)).with_context(|| {
                format!(
                    "loading the email template {} (MAIL_TEMPLATES_DIR)",
                    path.display()
                )
            })?;
        }
        Ok(Self {
            tera: Arc::new(tera),
        })
    }

    /// Renders the confirmation of `order` on this thread; call it from `spawn_blocking`.
    pub fn order_confirmation(
        &self,
        order: &OrderCreated,
        shop_name: &str,
        public_base_url: &str,
    ) -> anyhow::Result<Rendered> {
        let context = tera::Context::from_serialize(ConfirmationContext::new(
            order,
            shop_name,
            public_base_url,
        ))
        .context("building the template context")?;
        let render = |name| {
            self.tera
                .render(name, &context)
                .map_err(|err| anyhow::anyhow!("rendering {name}: {}", crate::error_chain(&err)))
        };
        Ok(Rendered {
            subject: subject(&order.number),
            text: render(TEXT_TEMPLATE)?,
            html: render(HTML_TEMPLATE)?,
        })
    }
}

/// The confirmation's subject line.
pub fn subject(order_number: &str) -> String {
    format!("Your order {order_number} is confirmed")
}

/// What the templates see.
#[derive(Debug, Serialize)]
struct ConfirmationContext<'a> {
    shop_name: &'a str,
    number: &'a str,
    customer_name: &'a str,
    email: &'a str,
    placed_on: String,
    lines: Vec<LineContext<'a>>,
    item_count: u64,
    subtotal: String,
    shipping: String,
    tax: String,
    total: String,
    currency: &'a str,
    shipping_method: String,
    /// The address as the lines of an envelope.
    shipping_address: Vec<String>,
    /// `None` when the event carries no lookup token (then there is no link to give).
    order_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct LineContext<'a> {
    sku: &'a str,
    name: &'a str,
    quantity: u32,
    unit_price: String,
    line_total: String,
}

impl<'a> ConfirmationContext<'a> {
    fn new(order: &'a OrderCreated, shop_name: &'a str, public_base_url: &str) -> Self {
        let currency = order.currency.as_str();
        let lines = order
            .lines
            .iter()
            .map(|line| LineContext {
                sku: &line.sku,
                name: &line.name,
                quantity: line.quantity,
                unit_price: money(line.unit_price, currency),
                line_total: money(line.line_total, currency),
            })
            .collect();
        Self {
            shop_name,
            number: &order.number,
            customer_name: &order.customer_name,
            email: &order.email,
            placed_on: order.created_at.format("%B %-d, %Y").to_string(),
            lines,
            item_count: order
                .lines
                .iter()
                .map(|line| u64::from(line.quantity))
                .sum(),
            subtotal: money(order.subtotal, currency),
            shipping: money(order.shipping, currency),
            tax: money(order.tax, currency),
            total: money(order.total, currency),
            currency,
            shipping_method: shipping_method_label(&order.shipping_method),
            shipping_address: address_lines(&order.customer_name, &order.shipping_address),
            order_url: order
                .lookup_token
                .as_deref()
                .map(|token| order_url(public_base_url, &order.number, token)),
        }
    }
}

/// `{base}/orders/{number}?token={token}`, each piece percent-encoded.
pub fn order_url(public_base_url: &str, number: &str, token: &str) -> String {
    format!(
        "{}/orders/{}?token={}",
        public_base_url.trim_end_matches('/'),
        percent_encode(number),
        percent_encode(token)
    )
}

/// Everything but RFC 3986 unreserved characters, percent-encoded.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An amount with its currency: `$1,234.50`, `€9.99`, `1,000 JPY`-style for others.
pub fn money(amount: Decimal, currency: &str) -> String {
    let decimals = match currency {
        "JPY" | "KRW" | "CLP" | "ISK" | "VND" => 0,
        _ => 2,
    };
    let rounded = amount.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", decimals as usize, rounded.abs());
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::with_capacity(text.len() + whole.len() / 3);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    match currency {
        "USD" => format!("{sign}${grouped}"),
        "EUR" => format!("{sign}€{grouped}"),
        "GBP" => format!("{sign}£{grouped}"),
        _ => format!("{sign}{grouped} {currency}"),
    }
}

fn shipping_method_label(method: &str) -> String {
    match method {
        "standard" => "Standard shipping".to_owned(),
        "express" => "Express shipping".to_owned(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>() + " shipping")
                .unwrap_or_else(|| "Shipping".to_owned())
        }
    }
}

fn address_lines(name: &str, address: &Address) -> Vec<String> {
    let mut lines = vec![name.to_owned(), address.line1.clone()];
    lines.extend(
        address
            .line2
            .iter()
            .filter(|line| !line.trim().is_empty())
            .cloned(),
    );
    let locality = match address
        .region
        .as_deref()
        .filter(|region| !region.trim().is_empty())
    {
        Some(region) => format!("{}, {} {}", address.city, region, address.postal_code),
        None => format!("{} {}", address.postal_code, address.city),
    };
    lines.push(locality);
    lines.push(address.country.clone());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_cents_groups_thousands_and_rounds_half_away_from_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money(d("65.02"), "USD"), "$65.02");
        assert_eq!(money(d("5"), "USD"), "$5.00");
        assert_eq!(money(d("1234567.005"), "EUR"), "€1,234,567.01");
        assert_eq!(money(d("999.999"), "GBP"), "£1,000.00");
        assert_eq!(money(d("1500"), "JPY"), "1,500 JPY");
        assert_eq!(money(d("0.10"), "CHF"), "0.10 CHF");
    }

    #[test]
    fn order_urls_encode_their_pieces() {
        assert_eq!(
            order_url("http://shop.test/", "SH-ABC123", "tok_-.~"),
            "http://shop.test/orders/SH-ABC123?token=tok_-.~"
        );
        assert_eq!(
            order_url("https://s.example", "SH-1", "a b&c"),
            "https://s.example/orders/SH-1?token=a%20b%26c"
        );
    }

    fn order(name: &str) -> OrderCreated {
        serde_json::from_value(serde_json::json!({
            "number": "SH-ABC123", "email": "ana@example.com", "customer_name": name,
            "lines": [{"sku": "A-1", "name": "Mug <i>&</i>", "unit_price": "1234.5", "quantity": 2, "line_total": "2469.00"}],
            "subtotal": "2469.00", "shipping": "4.99", "tax": "197.52", "total": "2671.51", "currency": "USD",
            "shipping_method": "express",
            "shipping_address": {"line1": "1 Main St", "line2": "Flat 2", "city": "Springfield", "postal_code": "12345", "country": "US"},
            "state": "paid", "created_at": "2026-11-21T10:00:00Z", "lookup_token": "tok_1"
        }))
        .unwrap()
    }

    fn templates() -> Templates {
        Templates::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"))).unwrap()
    }

    #[test]
    fn the_html_part_escapes_what_the_text_part_shows_as_typed() {
        let rendered = templates()
            .order_confirmation(&order("Zoë <b>&</b>"), "Shop", "http://shop.test/")
            .unwrap();
        assert_eq!(rendered.subject, "Your order SH-ABC123 is confirmed");
        assert!(
            rendered.html.contains("Zoë &lt;b&gt;&amp;&lt;&#x2F;b&gt;"),
            "{}",
            rendered.html
        );
        assert!(rendered.html.contains("Mug &lt;i&gt;&amp;&lt;&#x2F;i&gt;"));
        assert!(!rendered.html.contains("<b>") && !rendered.html.contains("<i>"));
        assert!(
            rendered
                .text
                .contains("Thanks for your order, Zoë <b>&</b>!"),
            "{}",
            rendered.text
        );
        assert!(
            rendered
                .text
                .contains("2 x Mug <i>&</i> (A-1)\n    $1,234.50 each, $2,469.00")
        );
        assert!(
            rendered
                .text
                .contains("View your order: http://shop.test/orders/SH-ABC123?token=tok_1")
        );
        assert!(rendered.text.contains("Express shipping"));
        assert!(
            rendered.text.contains("Flat 2\n12345 Springfield\nUS"),
            "{}",
            rendered.text
        );
        assert!(rendered.text.contains("Placed on November 21, 2026"));
        assert!(!rendered.text.contains("&lt;") && !rendered.text.contains("&amp;"));
    }

    #[test]
    fn an_order_without_a_lookup_token_has_no_link() {
        let mut order = order("Ana");
        order.lookup_token = None;
        let rendered = templates()
            .order_confirmation(&order, "Shop", "http://shop.test")
            .unwrap();
        assert!(!rendered.text.contains("View your order"));
        assert!(!rendered.html.contains("href="));
    }

    #[test]
    fn a_missing_template_directory_is_named_in_the_error() {
        let err = Templates::load(Path::new("/nonexistent/templates")).unwrap_err();
        assert!(
            format!("{err:#}").contains("/nonexistent/templates/order_confirmation.html"),
            "{err:#}"
        );
    }

    #[test]
    fn shipping_methods_read_as_labels() {
        assert_eq!(shipping_method_label("express"), "Express shipping");
        assert_eq!(shipping_method_label("pickup"), "Pickup shipping");
    }
}
