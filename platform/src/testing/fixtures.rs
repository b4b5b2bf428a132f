//! Made-up data the tests of several crates share: products to load into a catalog, and orders as checkout
//! announces them.

use rust_decimal::Decimal;

use crate::contracts::{
    Email, OrderNumber, Sku,
    orders::{Address, OrderCreated, OrderLine, OrderStatus},
};

/// A product for a test catalog: what a test cares about (SKU, price, stock, name, brand, category), the rest
/// made up by the catalog. The catalog turns it into its own product type (its `testing` feature) and loads it
/// with its importer, the code path of `catalog import`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestProduct {
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub price: Decimal,
    /// Category names from the root.
    pub category_path: Vec<String>,
    /// Units on hand when the product is created.
    pub stock: u32,
}

impl TestProduct {
    /// `Product <sku>` by Acme in `Things`, `stock` units at `price` (a decimal like `"19.99"`).
    pub fn new(sku: &str, price: &str, stock: u32) -> Self {
        Self {
            sku: sku.to_owned(),
            name: format!("Product {sku}"),
            brand: "Acme".to_owned(),
            price: price
                .parse()
                .unwrap_or_else(|err| panic!("price {price:?}: {err}")),
            category_path: vec!["Things".to_owned()],
            stock,
        }
    }

    pub fn named(mut self, name: &str, brand: &str) -> Self {
        self.name = name.to_owned();
        self.brand = brand.to_owned();
        self
    }

    /// In the category `path` (names from the root), instead of `Things`.
    pub fn in_category(mut self, path: &[&str]) -> Self {
        self.category_path = path.iter().map(|name| (*name).to_owned()).collect();
        self
    }
}

/// A fresh order number in checkout's format (`SH-` and 8 characters).
pub fn order_number() -> OrderNumber {
    let id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    OrderNumber::parse(&format!("SH-{}", &id[..8])).expect("SH- and hex digits are an order number")
}

/// An order for Ana Núñez with two lines, as checkout publishes it once paid: a fresh number and lookup token.
pub fn order_created() -> OrderCreated {
    order_created_for("Ana Núñez", 2)
}

/// An order for `customer_name` with `lines` lines (`BB-0001`, `BB-0002`, ..., two units at 19.99 each), 8 %
/// tax and standard shipping to Springfield, IL 62701, with a fresh number and lookup token.
pub fn order_created_for(customer_name: &str, lines: usize) -> OrderCreated {
    let unit_price = Decimal::new(1999, 2);
    let lines: Vec<OrderLine> = (1..=lines)
        .map(|i| OrderLine {
            sku: Sku::parse(&format!("BB-{i:04}")).expect("BB- and digits are a SKU"),
            name: format!("Product {i}"),
            unit_price,
            quantity: 2,
            line_total: unit_price * Decimal::from(2),
            discount: Decimal::ZERO,
        })
        .collect();
    let subtotal: Decimal = lines.iter().map(|line| line.line_total).sum();
    let tax = (subtotal * Decimal::new(8, 2)).round_dp(2);
    let shipping = Decimal::new(499, 2);
    OrderCreated {
        number: order_number(),
        email: Email::parse("ana@example.com").expect("an email address"),
        customer_name: customer_name.to_owned(),
        lines,
        subtotal,
        discount: Decimal::ZERO,
        discounts: Vec::new(),
        shipping,
        tax,
        total: subtotal + shipping + tax,
        currency: "USD".to_owned(),
        shipping_method: "standard".to_owned(),
        shipping_address: Address {
            line1: "1 Main St".to_owned(),
            line2: None,
            city: "Springfield".to_owned(),
            region: Some("IL".to_owned()),
            postal_code: "62701".to_owned(),
            country: "US".to_owned(),
        },
        state: OrderStatus::Paid,
        created_at: chrono::Utc::now(),
        lookup_token: Some(format!("tok{}", uuid::Uuid::new_v4().simple())),
    }
}
