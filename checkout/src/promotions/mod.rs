//! Promotions: coupon codes and automatic discounts, owned by checkout. [`rules`] decides, purely, what
//! applies and how each discount is spread over the lines; the totals preview and place-order both use it.
pub mod rules;
