//! `promotions.save`: create a promotion, or edit one at the version the admin saw. [`CheckedRules::parse`]
//! decides, purely, whether the rules make sense (every bad field at once, each named as the command names
//! it); [`save`] then decides what depends on the database: the version, a use limit not below the uses held,
//! and a shareable code no other promotion has.

use std::collections::HashSet;

use platform::{
    admin_commands::{Refused, carry_out, retrying},
    contracts::{
        Sku,
        admin::{AdminReply, Command, FieldError},
        promotions_admin::{
            MAX_NAME_CHARS, MAX_TARGET_CHARS, MAX_TARGETS, PROMOTIONS_SAVE, PromotionDetail,
            PromotionKind, PromotionRules, PromotionScope, SavePromotion,
        },
    },
};
use rust_decimal::Decimal;
use sqlx::{MySqlConnection, MySqlPool};

use super::{lock_at_version, reread};
use crate::{db::promotions_admin as queries, promotions::normalise_code};

/// The reason a code taken by another promotion is refused with.
pub const CODE_TAKEN: &str = "already used by another promotion";

/// The largest amount a `DECIMAL(12, 2)` column holds, plus a cent.
fn too_large() -> Decimal {
    Decimal::from(10_000_000_000_i64)
}

/// Rules that passed every check, normalised: the name trimmed, the targets in their scope's form and
/// distinct, the code as shoppers' codes are compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRules(PromotionRules);

impl CheckedRules {
    /// The rules as sent, checked; every bad field with its reason otherwise.
    pub fn parse(rules: &PromotionRules) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = check_name(&rules.name, &mut errors);
        check_value(rules.kind, rules.value, &mut errors);
        let targets = check_targets(rules.scope, &rules.targets, &mut errors);
        if let Some(minimum) = rules.min_subtotal {
            check_amount("min_subtotal", minimum, false, &mut errors);
        }
        if let (Some(starts), Some(ends)) = (rules.starts_at, rules.ends_at)
            && starts >= ends
        {
            errors.push(FieldError::new("ends_at", "must be after the start"));
        }
        for (field, limit) in [
            ("max_uses", rules.max_uses),
            ("max_uses_per_customer", rules.max_uses_per_customer),
        ] {
            if limit == Some(0) {
                errors.push(FieldError::new(
                    field,
                    "must be at least 1 (blank: no limit)",
                ));
            }
        }
        let code = match rules.code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => normalise_code(code)
                .map_err(|reason| errors.push(FieldError::new("code", reason)))
                .ok(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self(PromotionRules {
            name,
            targets,
            code,
            ..rules.clone()
        }))
    }

    pub fn rules(&self) -> &PromotionRules {
        &self.0
    }
}

fn check_name(name: &str, errors: &mut Vec<FieldError>) -> String {
    let name = name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "is required"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError::new(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    } else if name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "name",
            "must not contain control characters",
        ));
    }
    name.to_owned()
}

/// An amount of money in `field`: not negative (more than zero when `positive`), in cents, and small enough.
fn check_amount(field: &str, amount: Decimal, positive: bool, errors: &mut Vec<FieldError>) {
    let reason = if positive && amount <= Decimal::ZERO {
        "must be more than 0"
    } else if amount < Decimal::ZERO {
        "must not be negative"
    } else if amount.normalize().scale() > 2 {
        "must have at most 2 decimals"
    } else if amount >= too_large() {
        "is too large"
    } else {
        return;
    };
    errors.push(FieldError::new(field, reason));
}

fn check_value(kind: PromotionKind, value: Option<Decimal>, errors: &mut Vec<FieldError>) {
    match (kind, value) {
        (PromotionKind::Unknown, _) => errors.push(FieldError::new(
            "kind",
            "must be percent_off, amount_off or free_shipping",
        )),
        (PromotionKind::FreeShipping, None) => {}
        (PromotionKind::FreeShipping, Some(_)) => {
            errors.push(FieldError::new("value", "must be empty for free shipping"));
        }
        (PromotionKind::PercentOff | PromotionKind::AmountOff, None) => {
            errors.push(FieldError::new("value", "is required"));
        }
        (PromotionKind::PercentOff, Some(percent)) => {
            if percent > Decimal::ONE_HUNDRED {
                errors.push(FieldError::new("value", "must be at most 100 (percent)"));
            } else {
                check_amount("value", percent, true, errors);
            }
        }
        (PromotionKind::AmountOff, Some(amount)) => check_amount("value", amount, true, errors),
    }
}

/// A target in its scope's form (category slugs lower case, SKUs upper case), or why it is none.
fn target_of(scope: PromotionScope, text: &str) -> Result<String, &'static str> {
    match scope {
        PromotionScope::Categories => {
            let slug = text.to_ascii_lowercase();
            let valid = slug.len() <= MAX_TARGET_CHARS
                && slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !slug.starts_with('-')
                && !slug.ends_with('-')
                && !slug.contains("--");
            valid.then_some(slug).ok_or(
                "must be a category slug: lowercase letters and digits separated by single dashes",
            )
        }
        PromotionScope::Brands => {
            if text.chars().count() > MAX_TARGET_CHARS {
                Err("must be at most 191 characters")
            } else if text.chars().any(char::is_control) {
                Err("must not contain control characters")
            } else {
                Ok(text.to_owned())
            }
        }
        PromotionScope::Skus => Sku::parse(&text.to_ascii_uppercase())
            .map(Sku::into_string)
            .map_err(|invalid| invalid.expected()),
        PromotionScope::Order | PromotionScope::Unknown => Err("is not a target of this scope"),
    }
}

/// The scope's targets, normalised and distinct (brands without regard to case), or the errors: each bad one
/// as `targets[<index sent>]`, too few or too many as `targets`. Blank entries are skipped.
fn check_targets(
    scope: PromotionScope,
    sent: &[String],
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    let sent: Vec<(usize, &str)> = sent
        .iter()
        .map(|target| target.trim())
        .enumerate()
        .filter(|(_, target)| !target.is_empty())
        .collect();
    let what = match scope {
        PromotionScope::Unknown => {
            errors.push(FieldError::new(
                "scope",
                "must be order, categories, brands or skus",
            ));
            return Vec::new();
        }
        PromotionScope::Order => {
            if !sent.is_empty() {
                errors.push(FieldError::new(
                    "targets",
                    "must be empty for a promotion on the whole order",
                ));
            }
            return Vec::new();
        }
        PromotionScope::Categories => "category slug",
        PromotionScope::Brands => "brand",
        PromotionScope::Skus => "SKU",
    };
    let mut seen = HashSet::new();
    let mut targets = Vec::new();
    for (index, text) in sent {
        match target_of(scope, text) {
            Ok(target) => {
                if seen.insert(target.to_lowercase()) {
                    targets.push(target);
                }
            }
            Err(reason) => errors.push(FieldError::new(format!("targets[{index}]"), reason)),
        }
    }
    if targets.is_empty() && !errors.iter().any(|e| e.field.starts_with("targets[")) {
        errors.push(FieldError::new(
            "targets",
            format!("list at least one {what}, one per line"),
        ));
    } else if targets.len() > MAX_TARGETS {
        errors.push(FieldError::new(
            "targets",
            format!("must be at most {MAX_TARGETS}"),
        ));
    }
    targets
}

/// Creates or edits the promotion, and answers it as saved.
pub async fn save(
    pool: &MySqlPool,
    command: &Command<SavePromotion>,
) -> Result<AdminReply<PromotionDetail>, sqlx::Error> {
    let body = &command.body;
    let checked = match CheckedRules::parse(&body.rules) {
        checked if body.id.is_none() || body.expected_version.is_some() => checked,
        checked => {
            let mut errors = checked.err().unwrap_or_default();
            errors.push(FieldError::new(
                "expected_version",
                "is required to edit a promotion",
            ));
            Err(errors)
        }
    };
    retrying(|| {
        carry_out(
            pool,
            PROMOTIONS_SAVE,
            command,
            async |conn| match &checked {
                Err(errors) => Ok(Err(Refused::Invalid(errors.clone()))),
                Ok(rules) => save_in(conn, body, rules).await,
            },
        )
    })
    .await
}

/// The save decided and written on the command's transaction `conn`.
async fn save_in(
    conn: &mut MySqlConnection,
    body: &SavePromotion,
    checked: &CheckedRules,
) -> Result<Result<PromotionDetail, Refused>, sqlx::Error> {
    let rules = checked.rules();
    let id = match body.id {
        None => None,
        Some(id) => {
            let current =
                match lock_at_version(conn, id, body.expected_version.unwrap_or_default()).await? {
                    Ok(current) => current,
                    Err(refused) => return Ok(Err(refused)),
                };
            if let Some(limit) = rules.max_uses
                && limit < current.uses
            {
                return Ok(Err(Refused::invalid(
                    "max_uses",
                    format!("must be at least {}, the uses held now", current.uses),
                )));
            }
            Some(id)
        }
    };
    let mut code_is_ours = false;
    if let Some(code) = &rules.code {
        match queries::code_owner(conn, code).await? {
            Some((owner, _)) if Some(owner) != id => {
                return Ok(Err(Refused::invalid("code", CODE_TAKEN)));
            }
            Some((_, Some(_))) => {
                return Ok(Err(Refused::invalid(
                    "code",
                    "is one of this promotion's single-use codes",
                )));
            }
            Some((_, None)) => code_is_ours = true,
            None => {}
        }
    }
    let id = match id {
        Some(id) => {
            queries::update(conn, id, rules).await?;
            id
        }
        None => queries::insert(conn, rules).await?,
    };
    queries::replace_targets(conn, id, &rules.targets).await?;
    queries::remove_shareable_codes(conn, id, rules.code.as_deref()).await?;
    if let Some(code) = &rules.code
        && !code_is_ours
    {
        match queries::insert_shareable_code(conn, id, code).await {
            // Another promotion took it since the check above, and committed first.
            Err(err) if crate::db::is_duplicate_key(&err) => {
                return Ok(Err(Refused::invalid("code", CODE_TAKEN)));
            }
            other => other?,
        }
    }
    reread(conn, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(kind: PromotionKind, value: &str, scope: PromotionScope) -> PromotionRules {
        PromotionRules {
            name: " Welcome ".to_owned(),
            kind,
            value: (!value.is_empty()).then(|| value.parse().unwrap()),
            scope,
            targets: Vec::new(),
            min_subtotal: None,
            starts_at: None,
            ends_at: None,
            automatic: false,
            first_order_only: false,
            max_uses: None,
            max_uses_per_customer: None,
            code: None,
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn values_fit_their_kind() {
        use PromotionKind::*;
        for (kind, value) in [
            (PercentOff, "10"),
            (PercentOff, "100"),
            (PercentOff, "12.50"),
            (AmountOff, "5.5"),
            (FreeShipping, ""),
        ] {
            let checked = CheckedRules::parse(&rules(kind, value, PromotionScope::Order));
            assert!(checked.is_ok(), "{kind} {value}: {checked:?}");
        }
        for (kind, value) in [
            (PercentOff, "0"),
            (PercentOff, "100.01"),
            (PercentOff, "10.125"),
            (PercentOff, ""),
            (AmountOff, "-1"),
            (AmountOff, "0.001"),
            (AmountOff, "10000000000"),
            (FreeShipping, "5"),
        ] {
            let errors =
                CheckedRules::parse(&rules(kind, value, PromotionScope::Order)).unwrap_err();
            assert_eq!(fields(&errors), ["value"], "{kind} {value}");
        }
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut bad = rules(PromotionKind::Unknown, "", PromotionScope::Skus);
        bad.name = "  ".to_owned();
        bad.targets = vec!["TEE-S".to_owned(), "".to_owned(), "not a sku!".to_owned()];
        bad.min_subtotal = Some("-1".parse().unwrap());
        bad.starts_at = Some(chrono::DateTime::UNIX_EPOCH);
        bad.ends_at = Some(chrono::DateTime::UNIX_EPOCH);
        bad.max_uses = Some(0);
        bad.max_uses_per_customer = Some(0);
        bad.code = Some("no".to_owned());
        let errors = CheckedRules::parse(&bad).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "name",
                "kind",
                "targets[2]",
                "min_subtotal",
                "ends_at",
                "max_uses",
                "max_uses_per_customer",
                "code"
            ]
        );
    }

    #[test]
    fn targets_are_normalised_for_their_scope_and_distinct() {
        let mut skus = rules(PromotionKind::PercentOff, "10", PromotionScope::Skus);
        skus.targets = vec![" tee-s ".to_owned(), "TEE-S".to_owned(), "MUG".to_owned()];
        skus.code = Some(" welcome10 ".to_owned());
        let checked = CheckedRules::parse(&skus).unwrap();
        assert_eq!(checked.rules().targets, ["TEE-S", "MUG"]);
        assert_eq!(checked.rules().code.as_deref(), Some("WELCOME10"));
        assert_eq!(checked.rules().name, "Welcome");

        let mut brands = rules(PromotionKind::PercentOff, "10", PromotionScope::Brands);
        brands.targets = vec!["Acme".to_owned(), "ACME".to_owned()];
        assert_eq!(
            CheckedRules::parse(&brands).unwrap().rules().targets,
            ["Acme"]
        );

        let mut categories = rules(PromotionKind::PercentOff, "10", PromotionScope::Categories);
        categories.targets = vec!["Shoes".to_owned(), "trail--shoes".to_owned()];
        let errors = CheckedRules::parse(&categories).unwrap_err();
        assert_eq!(fields(&errors), ["targets[1]"]);

        let none = rules(PromotionKind::PercentOff, "10", PromotionScope::Brands);
        assert_eq!(
            fields(&CheckedRules::parse(&none).unwrap_err()),
            ["targets"]
        );
        let mut many = rules(PromotionKind::PercentOff, "10", PromotionScope::Skus);
        many.targets = (0..=MAX_TARGETS).map(|n| format!("SKU-{n}")).collect();
        assert_eq!(
            fields(&CheckedRules::parse(&many).unwrap_err()),
            ["targets"]
        );
        let mut order = rules(PromotionKind::PercentOff, "10", PromotionScope::Order);
        order.targets = vec!["TEE-S".to_owned()];
        assert_eq!(
            fields(&CheckedRules::parse(&order).unwrap_err()),
            ["targets"]
        );
    }
}
