//! The emails, rendered with tera from the template files in `MAIL_TEMPLATES_DIR`, two per kind of
//! [`Mail`]: `<kind>.html` (autoescaped: a customer's `<b>` arrives as text, never as markup) and `<kind>.txt`
//! (not escaped: plain text shows names as they were typed), where `<kind>` is `order_confirmation`,
//! `order_shipped`, `order_cancelled`, `order_refunded`, `back_in_stock`, `account_verify`, `account_exists`,
//! `password_reset` or `password_changed`.
//!
//! Amounts are formatted here from `Decimal`s (never floats) and handed to the templates as strings, with the
//! rest of what they show, so templates hold only layout. Links are built here too: the order page's from
//! the lookup token, and a carrier's tracking link only when it is an `http(s)` URL (anything else, such as a
//! `javascript:` URL, is left out: autoescaping keeps a value inside its attribute, not its scheme safe).

use std::{path::Path, sync::Arc};

use anyhow::Context as _;
use platform::contracts::{
    accounts::PasswordChange,
    orders::{Address, OrderCreated, OrderRefunded, OrderShipped},
};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use tera::Tera;

use crate::mail::{Kind, Mail};

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

/// The template files of a kind of email: HTML, then text.
pub fn template_names(kind: Kind) -> [String; 2] {
    [
        format!("{}.html", kind.as_str()),
        format!("{}.txt", kind.as_str()),
    ]
}

impl Templates {
    /// Reads and compiles the templates in `dir`; fails naming the file that is missing or wrong.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut tera = Tera::default();
        // Only the HTML templates are escaped; tera's default list would also cover .htm and .xml.
        tera.autoescape_on(vec![".html"]);
        for name in Kind::ALL.into_iter().flat_map(template_names) {
            let path = dir.join(&name);
            tera.add_template_file(&path, Some(&name))
                .with_context(|| {
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

    /// Renders `mail` on this thread; call it from `spawn_blocking`.
    pub fn render(
        &self,
        mail: &Mail,
        shop_name: &str,
        public_base_url: &str,
    ) -> anyhow::Result<Rendered> {
        let (name, email) = mail.recipient();
        let common = Common {
            shop_name,
            number: mail.number(),
            customer_name: name,
            email,
            order_url: mail
                .lookup_token()
                .map(|token| order_url(public_base_url, mail.number(), token)),
        };
        let context = match mail {
            Mail::OrderConfirmation { order } => {
                tera::Context::from_serialize(ConfirmationContext::new(order, common))
            }
            Mail::OrderShipped { shipment, .. } => {
                tera::Context::from_serialize(ShippedContext::new(shipment, common))
            }
            Mail::OrderCancelled { cancellation, .. } => {
                tera::Context::from_serialize(CancelledContext {
                    common,
                    reason: non_blank(cancellation.reason.as_deref()),
                    cancelled_on: day(cancellation.cancelled_at),
                })
            }
            Mail::OrderRefunded { refund, .. } => {
                tera::Context::from_serialize(RefundedContext::new(refund, common))
            }
            Mail::BackInStock { alert, .. } => tera::Context::from_serialize(BackInStockContext {
                product_name: &alert.product_name,
                variant: non_blank(Some(&alert.variant)),
                price: money(alert.price, &alert.currency),
                product_url: format!(
                    "{}/p/{}?sku={}",
                    public_base_url.trim_end_matches('/'),
                    percent_encode(&alert.slug),
                    percent_encode(alert.sku.as_str())
                ),
                unsubscribe_url: format!(
                    "{}/stock-alerts/{}",
                    public_base_url.trim_end_matches('/'),
                    percent_encode(&alert.unsubscribe_token)
                ),
                requested_on: day(alert.requested_at),
                common,
            }),
            Mail::AccountVerify {
                token,
                expires_at,
                welcome,
                ..
            } => tera::Context::from_serialize(AccountContext {
                link: Some(storefront(public_base_url, "/account/verify#token=", token)),
                expires: Some(moment(*expires_at)),
                welcome: *welcome,
                ..AccountContext::new(common, public_base_url)
            }),
            Mail::PasswordReset {
                token, expires_at, ..
            } => tera::Context::from_serialize(AccountContext {
                link: Some(storefront(public_base_url, "/account/reset#token=", token)),
                expires: Some(moment(*expires_at)),
                ..AccountContext::new(common, public_base_url)
            }),
            Mail::AccountExists { .. } => {
                tera::Context::from_serialize(AccountContext::new(common, public_base_url))
            }
            Mail::PasswordChanged {
                how, changed_at, ..
            } => tera::Context::from_serialize(AccountContext {
                by_reset: matches!(how, PasswordChange::Reset),
                changed_at: Some(moment(*changed_at)),
                ..AccountContext::new(common, public_base_url)
            }),
        }
        .context("building the template context")?;
        let [html_name, text_name] = template_names(mail.kind());
        let render = |name: &str| {
            self.tera
                .render(name, &context)
                .map_err(|err| anyhow::anyhow!("rendering {name}: {}", crate::error_chain(&err)))
        };
        Ok(Rendered {
            subject: mail.subject(),
            text: render(&text_name)?,
            html: render(&html_name)?,
        })
    }
}

/// What every template sees.
#[derive(Debug, Serialize)]
struct Common<'a> {
    shop_name: &'a str,
    number: &'a str,
    customer_name: &'a str,
    email: &'a str,
    /// `None` when the mailer has no lookup token for the order (then there is no link to give).
    order_url: Option<String>,
}

/// What the account emails' templates see.
#[derive(Debug, Serialize)]
struct AccountContext<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The confirmation or reset link.
    link: Option<String>,
    /// When that link stops working.
    expires: Option<String>,
    /// A confirmation right after signing up (rather than a new link asked for).
    welcome: bool,
    /// The password was set through a reset link (rather than changed while signed in).
    by_reset: bool,
    changed_at: Option<String>,
    sign_in_url: String,
    forgot_url: String,
}

impl<'a> AccountContext<'a> {
    fn new(common: Common<'a>, public_base_url: &str) -> Self {
        Self {
            common,
            link: None,
            expires: None,
            welcome: false,
            by_reset: false,
            changed_at: None,
            sign_in_url: storefront(public_base_url, "/account/sign-in", ""),
            forgot_url: storefront(public_base_url, "/account/forgot", ""),
        }
    }
}

/// `path` (and the encoded `secret` after it) on the storefront.
fn storefront(public_base_url: &str, path: &str, secret: &str) -> String {
    format!(
        "{}{path}{}",
        public_base_url.trim_end_matches('/'),
        percent_encode(secret)
    )
}

/// A moment, to the minute, in UTC.
fn moment(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%B %-d, %Y at %H:%M UTC").to_string()
}

/// What the back-in-stock alert's templates see.
#[derive(Debug, Serialize)]
struct BackInStockContext<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    product_name: &'a str,
    /// The variant's options ("42 / Blue"); `None` for a plain product.
    variant: Option<&'a str>,
    price: String,
    product_url: String,
    /// The storefront's page that ends the request (a link scanner opening it unsubscribes nobody).
    unsubscribe_url: String,
    requested_on: String,
}

/// What the confirmation's templates see.
#[derive(Debug, Serialize)]
struct ConfirmationContext<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    placed_on: String,
    lines: Vec<LineContext<'a>>,
    item_count: u64,
    subtotal: String,
    /// Each promotion the order got: "Summer sale (SUMMER)" and the amount off, negative.
    discounts: Vec<DiscountContext>,
    shipping: String,
    tax: String,
    total: String,
    currency: &'a str,
    shipping_method: String,
    /// The address as the lines of an envelope.
    shipping_address: Vec<String>,
}

#[derive(Debug, Serialize)]
struct DiscountContext {
    label: String,
    amount: String,
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
    fn new(order: &'a OrderCreated, common: Common<'a>) -> Self {
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
            common,
            placed_on: day(order.created_at),
            lines,
            item_count: order
                .lines
                .iter()
                .map(|line| u64::from(line.quantity))
                .sum(),
            subtotal: money(order.subtotal, currency),
            discounts: order
                .discounts
                .iter()
                .map(|discount| DiscountContext {
                    label: match &discount.code {
                        Some(code) => format!("{} ({code})", discount.name),
                        None => discount.name.clone(),
                    },
                    amount: format!("-{}", money(discount.amount + discount.shipping, currency)),
                })
                .collect(),
            shipping: money(order.shipping, currency),
            tax: money(order.tax, currency),
            total: money(order.total, currency),
            currency,
            shipping_method: shipping_method_label(&order.shipping_method),
            shipping_address: address_lines(&order.customer_name, &order.shipping_address),
        }
    }
}

/// What the shipping notice's templates see.
#[derive(Debug, Serialize)]
struct ShippedContext<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    carrier: &'a str,
    tracking_number: &'a str,
    /// Only an `http(s)` URL.
    tracking_url: Option<&'a str>,
    shipped_on: String,
}

impl<'a> ShippedContext<'a> {
    fn new(shipment: &'a OrderShipped, common: Common<'a>) -> Self {
        Self {
            common,
            carrier: &shipment.carrier,
            tracking_number: &shipment.tracking_number,
            tracking_url: shipment
                .tracking_url
                .as_deref()
                .filter(|url| is_web_url(url)),
            shipped_on: day(shipment.shipped_at),
        }
    }
}

/// What the cancellation's templates see.
#[derive(Debug, Serialize)]
struct CancelledContext<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    reason: Option<&'a str>,
    cancelled_on: String,
}

/// What the refund's templates see.
#[derive(Debug, Serialize)]
struct RefundedContext<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    amount: String,
    total_refunded: String,
    currency: &'a str,
    /// The order is refunded in full with this refund.
    full: bool,
    /// Empty for a refund by amount.
    lines: Vec<RefundedLineContext<'a>>,
    reason: Option<&'a str>,
    refunded_on: String,
}

#[derive(Debug, Serialize)]
struct RefundedLineContext<'a> {
    sku: &'a str,
    name: &'a str,
    quantity: u32,
    amount: String,
}

impl<'a> RefundedContext<'a> {
    fn new(refund: &'a OrderRefunded, common: Common<'a>) -> Self {
        let currency = refund.currency.as_str();
        Self {
            common,
            amount: money(refund.amount, currency),
            total_refunded: money(refund.total_refunded, currency),
            currency,
            full: refund.full,
            lines: refund
                .lines
                .iter()
                .map(|line| RefundedLineContext {
                    sku: &line.sku,
                    name: &line.name,
                    quantity: line.quantity,
                    amount: money(line.amount, currency),
                })
                .collect(),
            reason: non_blank(refund.reason.as_deref()),
            refunded_on: day(refund.refunded_at),
        }
    }
}

/// `November 21, 2026`.
fn day(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%B %-d, %Y").to_string()
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

/// An absolute `http:` or `https:` URL without white space or control characters: safe as a link target.
fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > "https://".len()
        && url.len() <= 2000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
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

    fn confirmation(order: OrderCreated) -> Mail {
        Mail::OrderConfirmation { order }
    }

    #[test]
    fn the_confirmation_lists_each_discount_between_subtotal_and_shipping() {
        let mut order = order("Ana");
        order.discount = "246.90".parse().unwrap();
        order.discounts = vec![
            platform::contracts::orders::Discount {
                name: "Welcome <10%>".into(),
                code: Some("WELCOME10".into()),
                amount: "246.90".parse().unwrap(),
                shipping: Decimal::ZERO,
            },
            platform::contracts::orders::Discount {
                name: "Free shipping".into(),
                code: None,
                amount: Decimal::ZERO,
                shipping: "4.99".parse().unwrap(),
            },
        ];
        let rendered = templates()
            .render(&confirmation(order), "Shop", "http://shop.test/")
            .unwrap();
        assert!(
            rendered.text.contains(
                "Subtotal: $2,469.00\nWelcome <10%> (WELCOME10): -$246.90\nFree shipping: -$4.99\nExpress shipping:"
            ),
            "{}",
            rendered.text
        );
        assert!(rendered.html.contains("Welcome &lt;10%&gt; (WELCOME10)"));
        assert!(rendered.html.contains("-$246.90"));
        // An order without promotions shows no discount line.
        let plain = templates()
            .render(
                &confirmation(self::order("Ana")),
                "Shop",
                "http://shop.test/",
            )
            .unwrap();
        assert!(
            plain
                .text
                .contains("Subtotal: $2,469.00\nExpress shipping:"),
            "{}",
            plain.text
        );
    }

    fn templates() -> Templates {
        Templates::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"))).unwrap()
    }

    #[test]
    fn the_html_part_escapes_what_the_text_part_shows_as_typed() {
        let rendered = templates()
            .render(
                &confirmation(order("Zoë <b>&</b>")),
                "Shop",
                "http://shop.test/",
            )
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
    fn account_emails_carry_their_link_in_the_fragment_and_escape_the_name() {
        let account = crate::mail::Account::new(
            uuid::Uuid::nil(),
            platform::contracts::Email::parse("ann@example.com").unwrap(),
            "Ann <b>Lee</b>".to_owned(),
        );
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:30:00Z")
            .unwrap()
            .to_utc();
        let verify = Mail::AccountVerify {
            account: account.clone(),
            token: "abc-_123".to_owned(),
            expires_at: at,
            welcome: true,
            requested_at: at,
        };
        let rendered = templates()
            .render(&verify, "Shop", "http://shop.test/")
            .unwrap();
        assert_eq!(rendered.subject, "Confirm your email address");
        assert!(
            rendered
                .text
                .contains("http://shop.test/account/verify#token=abc-_123")
        );
        assert!(
            rendered
                .text
                .contains("until December 1, 2026 at 10:30 UTC")
        );
        assert!(
            rendered.text.contains("Welcome, Ann <b>Lee</b>."),
            "{}",
            rendered.text
        );
        assert!(
            rendered.html.contains("Ann &lt;b&gt;Lee&lt;&#x2F;b&gt;"),
            "{}",
            rendered.html
        );
        // Autoescaping writes `/` as `&#x2F;` inside the attribute, which the browser reads back as `/`.
        assert!(
            rendered
                .html
                .replace("&#x2F;", "/")
                .contains(r#"href="http://shop.test/account/verify#token=abc-_123""#),
            "{}",
            rendered.html
        );

        let reset = Mail::PasswordReset {
            account: account.clone(),
            token: "t0k".to_owned(),
            expires_at: at,
            requested_at: at,
        };
        let rendered = templates()
            .render(&reset, "Shop", "http://shop.test")
            .unwrap();
        assert!(
            rendered
                .text
                .contains("http://shop.test/account/reset#token=t0k")
        );

        let exists = Mail::AccountExists {
            account: account.clone(),
            requested_at: at,
        };
        let rendered = templates()
            .render(&exists, "Shop", "http://shop.test")
            .unwrap();
        assert!(rendered.text.contains("http://shop.test/account/sign-in"));
        assert!(rendered.text.contains("http://shop.test/account/forgot"));
        assert!(!rendered.text.contains("#token="));

        let changed = Mail::PasswordChanged {
            account,
            how: platform::contracts::accounts::PasswordChange::Reset,
            changed_at: at,
        };
        let rendered = templates()
            .render(&changed, "Shop", "http://shop.test")
            .unwrap();
        assert!(
            rendered
                .text
                .contains("reset with a link sent to this address")
        );
        assert!(rendered.text.contains("Every device was signed out."));
    }

    #[test]
    fn an_order_without_a_lookup_token_has_no_link() {
        let mut order = order("Ana");
        order.lookup_token = None;
        let rendered = templates()
            .render(&confirmation(order), "Shop", "http://shop.test")
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

    const TRICKY: &str = "Zoë <b>&</b>";
    const TRICKY_HTML: &str = "Zoë &lt;b&gt;&amp;&lt;&#x2F;b&gt;";

    fn shipment(tracking_url: Option<&str>) -> OrderShipped {
        serde_json::from_value(serde_json::json!({
            "number": "SH-ABC123", "email": "ana@example.com", "customer_name": TRICKY,
            "carrier": "La <Poste>", "tracking_number": "6A&123", "tracking_url": tracking_url,
            "shipped_at": "2026-11-23T10:00:00Z"
        }))
        .unwrap()
    }

    fn refund(lines: serde_json::Value, full: bool) -> OrderRefunded {
        serde_json::from_value(serde_json::json!({
            "number": "SH-ABC123", "email": "ana@example.com", "customer_name": TRICKY,
            "amount": "39.98", "currency": "USD", "total_refunded": "1039.98", "full": full,
            "lines": lines, "reason": "Arrived <broken>", "refund_reference": "re_1",
            "refunded_at": "2026-11-24T10:00:00Z"
        }))
        .unwrap()
    }

    fn token() -> Option<crate::mail::Confirmation> {
        Some(crate::mail::Confirmation {
            email: platform::contracts::Email::parse("ana@example.com").unwrap(),
            customer_name: "Ana".to_owned(),
            lookup_token: Some("tok_1".to_owned()),
        })
    }

    /// Both parts of `mail`, checked for what every email shares: the HTML escapes the name, the text shows
    /// it as typed.
    fn both_parts(mail: &Mail) -> Rendered {
        let rendered = templates()
            .render(mail, "Shop", "http://shop.test")
            .unwrap();
        assert!(rendered.html.contains(TRICKY_HTML), "{}", rendered.html);
        assert!(!rendered.html.contains("<b>"), "{}", rendered.html);
        assert!(rendered.text.contains(TRICKY), "{}", rendered.text);
        assert!(!rendered.text.contains("&lt;") && !rendered.text.contains("&amp;"));
        assert!(rendered.html.contains("SH-ABC123") && rendered.text.contains("SH-ABC123"));
        rendered
    }

    #[test]
    fn the_shipping_notice_names_the_carrier_and_tracking_number_and_links_to_the_tracking_page() {
        let mail = Mail::shipped(shipment(Some("https://track.example/?n=6A&x=<1>")), token());
        let rendered = both_parts(&mail);
        assert_eq!(rendered.subject, "Your order SH-ABC123 has shipped");
        assert!(rendered.text.contains("Carrier: La <Poste>"));
        assert!(rendered.text.contains("Tracking number: 6A&123"));
        assert!(
            rendered
                .text
                .contains("Track your parcel: https://track.example/?n=6A&x=<1>")
        );
        assert!(
            rendered
                .text
                .contains("View your order: http://shop.test/orders/SH-ABC123?token=tok_1")
        );
        assert!(rendered.text.contains("Shipped on November 23, 2026"));
        assert!(rendered.html.contains("La &lt;Poste&gt;"));
        assert!(rendered.html.contains("6A&amp;123"));
        assert!(
            rendered
                .html
                .contains("href=\"https:&#x2F;&#x2F;track.example&#x2F;?n=6A&amp;x=&lt;1&gt;\""),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn a_tracking_link_that_is_not_a_web_address_is_left_out() {
        for url in ["javascript:alert(1)", "data:text/html,x", "https://a b"] {
            let rendered = both_parts(&Mail::shipped(shipment(Some(url)), None));
            assert!(!rendered.text.contains("Track your parcel"), "{url}");
            assert!(!rendered.html.contains("href="), "{url}: {}", rendered.html);
            assert!(rendered.text.contains("Tracking number: 6A&123"));
        }
    }

    #[test]
    fn the_cancellation_gives_the_reason_and_the_link() {
        let cancellation: platform::contracts::orders::OrderCancelled =
            serde_json::from_value(serde_json::json!({
                "number": "SH-ABC123", "reason": "Out of <stock>", "cancelled_at": "2026-11-22T10:00:00Z",
                "email": "ana@example.com", "customer_name": TRICKY
            }))
            .unwrap();
        let mail = Mail::cancelled(cancellation, token()).unwrap();
        let rendered = both_parts(&mail);
        assert_eq!(rendered.subject, "Your order SH-ABC123 has been cancelled");
        assert!(rendered.text.contains("Reason: Out of <stock>"));
        assert!(rendered.html.contains("Reason: Out of &lt;stock&gt;"));
        assert!(rendered.text.contains("cancelled on November 22, 2026"));
        assert!(rendered.text.contains("?token=tok_1"));
    }

    #[test]
    fn a_refund_by_line_lists_its_lines_and_one_by_amount_only_the_amounts() {
        let by_line = Mail::refunded(
            refund(
                serde_json::json!([{"sku": "A-1", "name": "Mug <i>", "quantity": 2, "amount": "39.98"}]),
                false,
            ),
            None,
        );
        let rendered = both_parts(&by_line);
        assert_eq!(rendered.subject, "A refund for your order SH-ABC123");
        assert!(
            rendered.text.contains("2 x Mug <i> (A-1)\n    $39.98"),
            "{}",
            rendered.text
        );
        assert!(rendered.html.contains("Mug &lt;i&gt;"));
        assert!(rendered.text.contains("This refund (USD): $39.98"));
        assert!(
            rendered
                .text
                .contains("Refunded for this order so far: $1,039.98")
        );
        assert!(rendered.text.contains("Reason: Arrived <broken>"));
        assert!(
            !rendered.text.contains("View your order"),
            "no token, no link"
        );

        let by_amount = Mail::refunded(refund(serde_json::json!([]), true), token());
        let rendered = both_parts(&by_amount);
        assert_eq!(rendered.subject, "Your order SH-ABC123 has been refunded");
        assert!(!rendered.text.contains("Items"));
        assert!(!rendered.html.contains("<th"));
        assert!(rendered.text.contains("refunded in full"));
    }
}
